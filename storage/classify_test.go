package storage

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestTLSErrorHints: the phrase of a TLS error names its cause, and gives the ca_file hint only for
// an unknown authority. The errors come from crypto/x509 verifying real certificates.
func TestTLSErrorHints(t *testing.T) {
	now := time.Now()
	good := serverTLS(t, []string{"localhost"}, now.Add(time.Hour))
	expired := serverTLS(t, []string{"localhost"}, now.Add(-time.Minute))
	tests := []struct {
		name      string
		certs     *storagetest.TLS
		host      string
		roots     *storagetest.TLS
		want, not string
	}{
		{"other names", good, "s3.example", good,
			"TLS verification failed (the endpoint host is not in the server certificate's names", "ca_file"},
		{"expired", expired, "localhost", expired,
			"TLS verification failed (the server certificate is expired or not yet valid)", "ca_file"},
		{"unknown authority", good, "localhost", expired, "TLS verification failed (set ca_file for a private CA)", "names"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert := readCert(t, tc.certs.CertFile)
			_, err := cert.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: tc.roots.Pool(t)})
			if err == nil {
				t.Fatal("Verify succeeded; want an error")
			}
			got := (&KindError{Kind: Classify(err), Err: err}).Error()
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
				t.Fatalf("error %q; want %q and no %q", got, tc.want, tc.not)
			}
		})
	}
}

// TestS3CertificateForOtherNames: a real MinIO serves a certificate from a trusted CA for
// 127.0.0.1 only, reached as localhost: the probe says the host is not in its names.
func TestS3CertificateForOtherNames(t *testing.T) {
	certs := serverTLS(t, []string{"127.0.0.1"}, time.Now().Add(time.Hour))
	m := storagetest.StartMinIO(t, certs)
	m.Env(t)
	url := strings.Replace(m.URL(m.NewBucket(t), "etcd"), "https://127.0.0.1:", "https://localhost:", 1)
	r := Probe(context.Background(), openStore(t, url, Options{CAFile: certs.CAFile}), "prod")
	want := "TLS verification failed (the endpoint host is not in the server certificate's names"
	if r.Kind != KindTLS || !strings.Contains(r.Err.Error(), want) || strings.Contains(r.Err.Error(), "ca_file") {
		t.Fatalf("Probe = %q, %v; want kind tls and %q, without the ca_file hint", r.Kind, r.Err, want)
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serverTLS writes a CA and a server certificate it signed for names (DNS names or IPs), valid
// until notAfter.
func serverTLS(t *testing.T, names []string, notAfter time.Time) *storagetest.TLS {
	return storagetest.NewTLSFor(t, names, notAfter)
}
