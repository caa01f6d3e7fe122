package etcdtest

import (
	"crypto/x509"
	"net"
	"os"
	"slices"
	"testing"
	"time"
)

func TestIssue(t *testing.T) {
	p := NewPKI(t)
	roots := x509.NewCertPool()
	roots.AddCert(ReadCert(t, p.CACert))
	tests := []struct {
		name           string
		validFor       time.Duration
		server, client bool
		wantUsages     []x509.ExtKeyUsage
	}{
		{name: "server-1h", validFor: time.Hour, server: true,
			wantUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
		{name: "client-1h", validFor: time.Hour, client: true,
			wantUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
		{name: "both-10m", validFor: 10 * time.Minute, server: true, client: true,
			wantUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}},
		{name: "expired", validFor: -time.Hour, client: true,
			wantUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			certPath, keyPath := p.Issue(t, tc.name, tc.validFor, tc.server, tc.client)
			after := time.Now()
			c := ReadCert(t, certPath)
			lo, hi := before.Add(tc.validFor).Truncate(time.Second), after.Add(tc.validFor)
			if c.NotAfter.Before(lo) || c.NotAfter.After(hi) {
				t.Fatalf("NotAfter = %s, want within [%s, %s]", c.NotAfter, lo, hi)
			}
			if !c.NotBefore.Before(c.NotAfter) {
				t.Fatalf("NotBefore %s is not before NotAfter %s", c.NotBefore, c.NotAfter)
			}
			if !slices.Equal(c.ExtKeyUsage, tc.wantUsages) {
				t.Fatalf("ExtKeyUsage = %v, want %v", c.ExtKeyUsage, tc.wantUsages)
			}
			_, err := c.Verify(x509.VerifyOptions{
				Roots: roots, DNSName: "localhost", KeyUsages: tc.wantUsages,
				CurrentTime: c.NotAfter.Add(-time.Second),
			})
			if err != nil {
				t.Fatalf("verify %s against the CA: %v", certPath, err)
			}
			fi, err := os.Stat(keyPath)
			if err != nil {
				t.Fatalf("stat key: %v", err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Fatalf("key mode = %o, want 600", got)
			}
		})
	}
}

func TestNewPKIFiles(t *testing.T) {
	p := NewPKI(t)
	tests := []struct {
		name     string
		path     string
		wantIsCA bool
		wantIP   bool
	}{
		{name: "ca", path: p.CACert, wantIsCA: true},
		{name: "server", path: p.ServerCert, wantIP: true},
		{name: "client", path: p.ClientCert, wantIP: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ReadCert(t, tc.path)
			if c.IsCA != tc.wantIsCA {
				t.Fatalf("IsCA = %v, want %v", c.IsCA, tc.wantIsCA)
			}
			hasLoopback := slices.ContainsFunc(c.IPAddresses, func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
			if hasLoopback != tc.wantIP {
				t.Fatalf("loopback IP SAN present = %v, want %v", hasLoopback, tc.wantIP)
			}
		})
	}
}
