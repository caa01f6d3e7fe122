package etcdtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a throwaway CA plus server and client certificates (ECDSA P-256) in a
// temp dir, for 127.0.0.1, ::1 and localhost. The server certificate is valid
// for both server and client use, so it also serves as a peer certificate.
type PKI struct {
	Dir                   string
	CACert, CAKey         string
	ServerCert, ServerKey string
	ClientCert, ClientKey string

	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
}

// caValidity is how far the CA's validity reaches into the past and the
// future, so that expired certificates issued by Issue still chain to it.
const caValidity = 30 * 24 * time.Hour

// NewPKI creates a CA and issues the server and client pairs.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	p := &PKI{Dir: t.TempDir()}
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "etcdtest-ca"},
		NotBefore:             time.Now().Add(-caValidity),
		NotAfter:              time.Now().Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create CA certificate: %v", err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatalf("parse CA certificate: %v", err)
	}
	p.caKey = key
	p.CACert, p.CAKey = p.write(t, "ca", der, key)
	p.ServerCert, p.ServerKey = p.Issue(t, "server", 24*time.Hour, true, true)
	p.ClientCert, p.ClientKey = p.Issue(t, "client", 24*time.Hour, false, true)
	return p
}

// Issue writes <Dir>/<name>.crt and <Dir>/<name>.key, a pair signed by this CA
// that is valid for validFor from now. A validFor <= 0 gives a certificate that
// has already expired. The common name is name.
func (p *PKI) Issue(t testing.TB, name string, validFor time.Duration, server, client bool) (cert, key string) {
	return p.IssueFor(t, name, validFor, server, client, []string{"localhost"},
		[]net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
}

// IssueFor is Issue for the given DNS names and IP addresses.
func (p *PKI) IssueFor(t testing.TB, name string, validFor time.Duration, server, client bool,
	dnsNames []string, ips []net.IP) (cert, key string) {
	t.Helper()
	k := newKey(t)
	now := time.Now()
	notAfter := now.Add(validFor)
	notBefore := now.Add(-time.Minute)
	if validFor <= 0 {
		notBefore = notAfter.Add(-time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	if server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &k.PublicKey, p.caKey)
	if err != nil {
		t.Fatalf("create certificate %s: %v", name, err)
	}
	return p.write(t, name, der, k)
}

// write stores a certificate (0644) and its key (0600) under p.Dir.
func (p *PKI) write(t testing.TB, name string, der []byte, key *ecdsa.PrivateKey) (cert, keyPath string) {
	t.Helper()
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("marshal key %s: %v", name, err)
	}
	cert = filepath.Join(p.Dir, name+".crt")
	keyPath = filepath.Join(p.Dir, name+".key")
	writePEM(t, cert, "CERTIFICATE", der, 0o644)
	writePEM(t, keyPath, "EC PRIVATE KEY", kder, 0o600)
	return cert, keyPath
}

func writePEM(t testing.TB, path, typ string, der []byte, mode os.FileMode) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate ECDSA key: %v", err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatalf("generate serial number: %v", err)
	}
	return n
}

// ReadCert parses the first PEM certificate in path.
func ReadCert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("read %s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return c
}
