package cluster

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestDiagnoseTLSHints starts real TLS members whose server certificate is wrong in one way each,
// and checks that the error of a member that does not answer names that cause, not another.
func TestDiagnoseTLSHints(t *testing.T) {
	tests := []struct {
		name    string
		server  func(t *testing.T, p *etcdtest.PKI) (cert, key string)
		trust   func(t *testing.T, p *etcdtest.PKI) string // the CA the client trusts
		want    string
		notWant string
	}{
		{"SAN mismatch", otherNames, ownCA,
			"tls: the endpoint host 127.0.0.1 is not in the server certificate's SANs (etcd-0.example, 10.9.8.7); " +
				"use a name it has in etcd.endpoints, or reissue the certificate with this one",
			"etcd.cacert"},
		{"server certificate expired", expiredServer, ownCA,
			`tls: the server's certificate "expired-server" is outside its validity`, "etcd.cacert"},
		{"unknown CA", sameServer, otherCA, "tls: server certificate not trusted (check etcd.cacert", "SANs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pki := etcdtest.NewPKI(t)
			pki.ServerCert, pki.ServerKey = tc.server(t, pki)
			m := etcdtest.Start(t, etcdtest.Options{PKI: pki})
			c, err := New(Options{Endpoints: []string{m.Endpoint}, CACert: tc.trust(t, pki), Cert: pki.ClientCert,
				Key: pki.ClientKey, DialTimeout: 2 * time.Second}, zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			members, _ := c.Members(context.Background())
			if len(members) != 1 || members[0].Err == nil {
				t.Fatalf("members = %+v; want one that fails", members)
			}
			got := members[0].Err.Error()
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.notWant) {
				t.Fatalf("error\n  %s\nwant it to contain\n  %s\nand not %q", got, tc.want, tc.notWant)
			}
		})
	}
}

func sameServer(_ *testing.T, p *etcdtest.PKI) (string, string) { return p.ServerCert, p.ServerKey }

func ownCA(_ *testing.T, p *etcdtest.PKI) string { return p.CACert }

func otherCA(t *testing.T, _ *etcdtest.PKI) string { return etcdtest.NewPKI(t).CACert }

func expiredServer(t *testing.T, p *etcdtest.PKI) (string, string) {
	return p.Issue(t, "expired-server", 0, true, true)
}

// otherNames issues a server certificate from p's CA for names that are not the endpoint's.
func otherNames(t *testing.T, p *etcdtest.PKI) (string, string) {
	return p.IssueFor(t, "other-names", time.Hour, true, true, []string{"etcd-0.example"}, []net.IP{net.IPv4(10, 9, 8, 7)})
}
