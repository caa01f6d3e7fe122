package etcdtest

import (
	"errors"
	"fmt"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// readyTimeout bounds how long a member may take to become ready.
const readyTimeout = 30 * time.Second

// Options configures an embedded member.
type Options struct {
	PKI *PKI // nil: plain http for clients and peers
	// ClientCertAuth requires client certificates. With a PKI it is on unless
	// NoClientCertAuth is set.
	ClientCertAuth    bool
	NoClientCertAuth  bool
	QuotaBackendBytes int64       // 0: etcd's default
	Name              string      // "" : "default"
	Logger            *zap.Logger // nil: error level into a file, printed if the test fails
}

// Member is one embedded etcd server on free loopback ports.
type Member struct {
	Name     string
	Endpoint string // https://127.0.0.1:port, or http:// without a PKI
	PeerURL  string
	DataDir  string
	Etcd     *embed.Etcd
	PKI      *PKI

	stopOnce sync.Once
}

// memberSpec is what start needs for one embedded member.
type memberSpec struct {
	opts    Options
	dataDir string
	peerURL string
}

// Start starts a new single-member cluster with data in t.TempDir() and waits
// until it is ready. It is stopped on cleanup.
func Start(t testing.TB, o Options) *Member {
	t.Helper()
	if o.Name == "" {
		o.Name = "default"
	}
	return startRetry(t, func() memberSpec {
		return memberSpec{
			opts:    o,
			dataDir: filepath.Join(t.TempDir(), o.Name+".etcd"),
			peerURL: loopbackURL(o.PKI != nil, FreePort(t)),
		}
	})
}

// StartDataDir starts an embedded member without TLS on an existing data dir,
// such as one restored by etcdutl. name and peerURL must be those the data dir
// was restored with; the member listens on peerURL and on a free client port.
func StartDataDir(t testing.TB, dataDir, name, peerURL string) *Member {
	t.Helper()
	return startRetry(t, func() memberSpec {
		return memberSpec{opts: Options{Name: name}, dataDir: dataDir, peerURL: peerURL}
	})
}

// startRetry starts a member, retrying with fresh ports when another process
// took a free port between FreePort and the bind.
func startRetry(t testing.TB, spec func() memberSpec) *Member {
	t.Helper()
	var err error
	for range 3 {
		var m *Member
		if m, err = start(t, spec()); err == nil {
			return m
		}
		if !errors.Is(err, syscall.EADDRINUSE) && !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("start embedded etcd: %v", err)
	return nil
}

// start launches one embedded member and waits for ReadyNotify.
func start(t testing.TB, s memberSpec) (*Member, error) {
	t.Helper()
	cfg, err := embedConfig(t, s)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd %s failed before ready: %w", s.opts.Name, err)
	case <-time.After(readyTimeout):
		e.Close()
		return nil, fmt.Errorf("etcd %s not ready after %s", s.opts.Name, readyTimeout)
	}
	m := &Member{
		Name:     s.opts.Name,
		Endpoint: cfg.AdvertiseClientUrls[0].String(),
		PeerURL:  s.peerURL,
		DataDir:  s.dataDir,
		Etcd:     e,
		PKI:      s.opts.PKI,
	}
	t.Cleanup(m.Stop)
	return m, nil
}

// embedConfig translates a memberSpec into an embed.Config.
func embedConfig(t testing.TB, s memberSpec) (*embed.Config, error) {
	t.Helper()
	o := s.opts
	peer, err := url.Parse(s.peerURL)
	if err != nil {
		return nil, fmt.Errorf("parse peer URL %q: %w", s.peerURL, err)
	}
	client, _ := url.Parse(loopbackURL(o.PKI != nil, FreePort(t)))
	cfg := embed.NewConfig()
	cfg.Name = o.Name
	cfg.Dir = s.dataDir
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = o.Name + "=" + s.peerURL
	cfg.QuotaBackendBytes = o.QuotaBackendBytes
	if p := o.PKI; p != nil {
		auth := o.ClientCertAuth || !o.NoClientCertAuth
		cfg.ClientTLSInfo = serverTLS(p, auth)
		cfg.PeerTLSInfo = serverTLS(p, true)
	}
	lg := o.Logger
	if lg == nil {
		lg = fileLogger(t, "etcd-"+o.Name+".log")
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	return cfg, nil
}

// serverTLS serves the PKI's server certificate. etcd requires client
// certificates whenever a trusted CA is set, so the CA is set only with auth.
func serverTLS(p *PKI, clientCertAuth bool) transport.TLSInfo {
	info := transport.TLSInfo{CertFile: p.ServerCert, KeyFile: p.ServerKey}
	if clientCertAuth {
		info.TrustedCAFile, info.ClientCertAuth = p.CACert, true
	}
	return info
}

// fileLogger returns an error-level JSON logger writing to a file in a temp
// dir; the file is printed when the test has failed.
func fileLogger(t testing.TB, name string) *zap.Logger {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("create log %s: %v", path, err)
	}
	logOnFailure(t, path)
	t.Cleanup(func() { _ = f.Close() })
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(f), zap.ErrorLevel))
}

// Stop closes the member; it is safe to call more than once.
func (m *Member) Stop() {
	m.stopOnce.Do(m.Etcd.Close)
}

// Client returns a client for this member with the PKI's client certificate.
// It is closed on cleanup.
func (m *Member) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, m.PKI, m.Endpoint)
}

// FreePort returns a free loopback TCP port.
func FreePort(t testing.TB) int { return testgate.FreePort(t) }

// loopbackURL returns http(s)://127.0.0.1:port.
func loopbackURL(tls bool, port int) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
}
