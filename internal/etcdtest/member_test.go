package etcdtest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

func TestStartTLSFill(t *testing.T) {
	m := Start(t, Options{PKI: NewPKI(t)})
	if !strings.HasPrefix(m.Endpoint, "https://127.0.0.1:") {
		t.Fatalf("Endpoint = %q, want https://127.0.0.1:port", m.Endpoint)
	}
	c := m.Client(t)
	const n, size, seed = 2000, 512, 7
	keys := Fill(t, c, n, size, seed)
	if len(keys) != n {
		t.Fatalf("Fill returned %d keys, want %d", len(keys), n)
	}
	checkData(t, c, Generate(n, size, seed))
	m.Stop()
	m.Stop()
}

// checkData reads everything under /registry/ and compares it with want.
func checkData(t *testing.T, c *clientv3.Client, want []KV) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Get(ctx, "/registry/", clientv3.WithPrefix())
	if err != nil {
		t.Fatalf("get /registry/: %v", err)
	}
	if len(resp.Kvs) != len(want) {
		t.Fatalf("read %d keys, want %d", len(resp.Kvs), len(want))
	}
	got := make(map[string][]byte, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = kv.Value
	}
	for _, kv := range want {
		if v, ok := got[kv.Key]; !ok || !bytes.Equal(v, kv.Value) {
			t.Fatalf("key %s: got %d bytes (present %v), want %d bytes", kv.Key, len(v), ok, len(kv.Value))
		}
	}
}

func TestClientCertAuth(t *testing.T) {
	pki := NewPKI(t)
	tests := []struct {
		name       string
		opts       Options
		clientCert bool
		wantErr    string
	}{
		{name: "with client cert", opts: Options{PKI: pki}, clientCert: true},
		{name: "without client cert", opts: Options{PKI: pki}, wantErr: "context deadline exceeded"},
		{name: "auth off, without client cert", opts: Options{PKI: pki, NoClientCertAuth: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Start(t, tc.opts)
			info := transport.TLSInfo{TrustedCAFile: pki.CACert}
			if tc.clientCert {
				info.CertFile, info.KeyFile = pki.ClientCert, pki.ClientKey
			}
			tlsCfg, err := info.ClientConfig()
			if err != nil {
				t.Fatalf("client TLS config: %v", err)
			}
			c, err := clientv3.New(clientv3.Config{Endpoints: []string{m.Endpoint}, TLS: tlsCfg,
				DialTimeout: time.Second, Logger: zap.NewNop()})
			if err != nil {
				t.Fatalf("new client: %v", err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err = c.Put(ctx, "/probe", "x")
			if tc.wantErr == "" && err != nil {
				t.Fatalf("put: %v, want success", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("put: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestStartDataDirRestored(t *testing.T) {
	src := Start(t, Options{Name: "src"})
	const n, size, seed = 300, 256, 3
	Fill(t, src.Client(t), n, size, seed)
	dir := t.TempDir()
	db := filepath.Join(dir, "snap.db")
	mgr := snapshot.NewV3(zap.NewNop())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := mgr.Save(ctx, clientv3.Config{Endpoints: []string{src.Endpoint}, Logger: zap.NewNop()}, db); err != nil {
		t.Fatalf("save snapshot: %v", err)
	}
	src.Stop()
	peer := loopbackURL(false, FreePort(t))
	dataDir := filepath.Join(dir, "restored.etcd")
	err := mgr.Restore(snapshot.RestoreConfig{SnapshotPath: db, Name: "restored", OutputDataDir: dataDir,
		PeerURLs: []string{peer}, InitialCluster: "restored=" + peer, InitialClusterToken: "restore"})
	if err != nil {
		t.Fatalf("restore snapshot: %v", err)
	}
	m := StartDataDir(t, dataDir, "restored", peer)
	if m.Name != "restored" || m.PeerURL != peer || m.DataDir != dataDir {
		t.Fatalf("member = %s %s %s, want restored %s %s", m.Name, m.PeerURL, m.DataDir, peer, dataDir)
	}
	checkData(t, m.Client(t), Generate(n, size, seed))
}

func TestFreePort(t *testing.T) {
	a, b := FreePort(t), FreePort(t)
	if a <= 0 || a > 65535 || b <= 0 || b > 65535 {
		t.Fatalf("FreePort = %d, %d, want ports in 1..65535", a, b)
	}
}
