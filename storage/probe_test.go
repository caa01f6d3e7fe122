package storage

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

type probeCase struct {
	name string
	open func(t *testing.T) Store // sets the environment and opens the store
	want ErrorKind
}

// runProbes probes each case's store and checks the kind of the result,
// and that a successful probe leaves nothing behind.
func runProbes(t *testing.T, cases []probeCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.open(t)
			r := Probe(context.Background(), s, "prod")
			if r.Kind != tc.want {
				t.Fatalf("Probe kind = %q (step %q, err %v), want %q", r.Kind, r.Step, r.Err, tc.want)
			}
			if tc.want == KindNone {
				if r.Latency <= 0 {
					t.Fatalf("Probe latency = %s, want > 0", r.Latency)
				}
				if got := keys(list(t, s, "")); len(got) != 0 {
					t.Fatalf("objects left after the probe: %q", got)
				}
				return
			}
			if r.Step != "write" || !strings.Contains(r.Err.Error(), tc.want.describe()) {
				t.Fatalf("Probe error %q (step %q), want the write step to say %q", r.Err, r.Step, tc.want.describe())
			}
		})
	}
}

func TestProbeS3(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	bucket := m.NewBucket(t)
	url := m.URL(bucket, "etcd")
	runProbes(t, []probeCase{
		{"ok", func(t *testing.T) Store { m.Env(t); return openStore(t, url, Options{}) }, KindNone},
		{"wrong secret", func(t *testing.T) Store {
			storagetest.SetAWSEnv(t, m.AccessKey, "wrong-secret-value")
			return openStore(t, url, Options{})
		}, KindAuth},
		{"unknown access key", func(t *testing.T) Store {
			storagetest.SetAWSEnv(t, "nobody", m.SecretKey)
			return openStore(t, url, Options{})
		}, KindAuth},
		{"missing bucket", func(t *testing.T) Store { m.Env(t); return openStore(t, m.URL("no-such-bucket", "etcd"), Options{}) }, KindNotFound},
		{"closed port", func(t *testing.T) Store {
			m.Env(t)
			u := strings.Replace(url, m.Endpoint, "http://"+storagetest.ClosedAddr(t), 1)
			return openStore(t, u, Options{})
		}, KindNetwork},
	})
}

func TestProbeGCS(t *testing.T) {
	g := storagetest.StartFakeGCS(t)
	bucket := g.NewBucket(t)
	runProbes(t, []probeCase{
		{"ok", func(t *testing.T) Store { g.Env(t); return openStore(t, g.URL(bucket, "etcd"), Options{}) }, KindNone},
		{"missing bucket", func(t *testing.T) Store { g.Env(t); return openStore(t, g.URL("no-such-bucket", "etcd"), Options{}) }, KindNotFound},
		{"closed port", func(t *testing.T) Store {
			t.Setenv("STORAGE_EMULATOR_HOST", storagetest.ClosedAddr(t))
			return openStore(t, g.URL(bucket, "etcd"), Options{})
		}, KindNetwork},
		{"no credentials", func(t *testing.T) Store {
			t.Setenv("STORAGE_EMULATOR_HOST", "")
			t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", t.TempDir()+"/missing.json")
			return openStore(t, g.URL(bucket, "etcd"), Options{})
		}, KindAuth},
	})
}

func TestProbeAzure(t *testing.T) {
	a := storagetest.StartAzurite(t, nil)
	c := a.NewContainer(t)
	runProbes(t, []probeCase{
		{"ok", func(t *testing.T) Store { a.Env(t); return openStore(t, a.URL(c, "etcd"), Options{}) }, KindNone},
		{"wrong key", func(t *testing.T) Store {
			storagetest.SetAzureEnv(t, a.Account, base64.StdEncoding.EncodeToString([]byte("wrong key")))
			return openStore(t, a.URL(c, "etcd"), Options{})
		}, KindAuth},
		{"missing container", func(t *testing.T) Store { a.Env(t); return openStore(t, a.URL("no-such-container", "etcd"), Options{}) }, KindNotFound},
		{"closed port", func(t *testing.T) Store {
			a.Env(t)
			u := strings.Replace(a.URL(c, "etcd"), a.Domain, storagetest.ClosedAddr(t), 1)
			return openStore(t, u, Options{})
		}, KindNetwork},
	})
}

func TestProbeFile(t *testing.T) {
	dir := t.TempDir()
	runProbes(t, []probeCase{
		{"ok", func(t *testing.T) Store { return openStore(t, "file://"+dir, Options{}) }, KindNone},
	})
}
