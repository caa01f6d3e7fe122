package etcdtest

import (
	"crypto/tls"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// ClientTLS returns a TLS config that trusts the CA and presents the client
// certificate; a nil PKI gives nil (plain http).
func (p *PKI) ClientTLS(t testing.TB) *tls.Config {
	t.Helper()
	if p == nil {
		return nil
	}
	info := transport.TLSInfo{CertFile: p.ClientCert, KeyFile: p.ClientKey, TrustedCAFile: p.CACert}
	cfg, err := info.ClientConfig()
	if err != nil {
		t.Fatalf("client TLS config from %s: %v", p.Dir, err)
	}
	return cfg
}

// NewClient returns a client for endpoints, authenticated with the PKI's
// client certificate (none for a nil PKI). It is closed on cleanup.
func NewClient(t testing.TB, p *PKI, endpoints ...string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		TLS:         p.ClientTLS(t),
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatalf("new etcd client for %v: %v", endpoints, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
