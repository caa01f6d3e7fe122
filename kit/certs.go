package kit

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Severity says whether a finding makes the kit unfit for a restore (error) or needs attention (warning).
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem with one file of the kit.
type Finding struct {
	Severity Severity
	Path     string
	Msg      string
}

func (f Finding) String() string { return fmt.Sprintf("%s: %s: %s", f.Severity, f.Path, f.Msg) }

// ExpiryWarning is how long before its end a certificate is reported as expiring.
const ExpiryWarning = 30 * 24 * time.Hour

// cert is one PEM certificate of the kit.
type cert struct {
	path string
	c    *x509.Certificate
}

// CheckCerts checks the kit's certificates at now: each one's validity period; each leaf against the
// kit's CAs (a server certificate, such as etcd's, against the ca.crt beside it, as kubeadm lays them
// out); and each X.crt against the private key X.key beside it. The findings are sorted by file.
func (k *Kit) CheckCerts(now time.Time) []Finding {
	var out []Finding
	add := func(s Severity, p, format string, args ...any) {
		out = append(out, Finding{Severity: s, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	certs := k.certs(add)
	cas := caPool(certs, func(string) bool { return true })
	for _, c := range certs {
		checkValidity(add, c, now)
		if !c.c.IsCA {
			k.verify(add, c, certs, cas, now)
		}
	}
	k.checkKeys(add)
	slices.SortStableFunc(out, func(a, b Finding) int { return strings.Compare(a.Path, b.Path) })
	return out
}

type addFunc func(s Severity, path, format string, args ...any)

// certs parses every PEM certificate of every file.
func (k *Kit) certs(add addFunc) []cert {
	var out []cert
	for _, f := range k.Files {
		rest := f.data
		for {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				add(SeverityError, f.Path, "a certificate does not parse: %v", err)
				continue
			}
			out = append(out, cert{f.Path, c})
		}
	}
	return out
}

// pool is a CertPool that knows its size: an empty one verifies nothing.
type pool struct {
	p *x509.CertPool
	n int
}

// caPool holds the CAs of the files that keep says.
func caPool(certs []cert, keep func(path string) bool) pool {
	p := pool{p: x509.NewCertPool()}
	for _, c := range certs {
		if c.c.IsCA && keep(c.path) {
			p.p.AddCert(c.c)
			p.n++
		}
	}
	return p
}

func checkValidity(add addFunc, c cert, now time.Time) {
	name, end := c.c.Subject.CommonName, c.c.NotAfter.UTC().Format(time.RFC3339)
	switch {
	case now.Before(c.c.NotBefore):
		add(SeverityError, c.path, "certificate %q is not valid before %s", name, c.c.NotBefore.UTC().Format(time.RFC3339))
	case now.After(c.c.NotAfter):
		add(SeverityError, c.path, "certificate %q expired on %s", name, end)
	case c.c.NotAfter.Sub(now) < ExpiryWarning:
		add(SeverityWarning, c.path, "certificate %q expires on %s, in %d days", name, end,
			int(c.c.NotAfter.Sub(now)/(24*time.Hour)))
	}
}

// verify checks a leaf's chain at a time within its own validity, so that an expired leaf is reported
// once, by checkValidity. A server certificate in a directory with a ca.crt must verify against that
// CA: the kit's etcd CA must be the one that signed the kit's etcd server certificate.
func (k *Kit) verify(add addFunc, c cert, certs []cert, all pool, now time.Time) {
	roots, against := all, "the kit's CAs"
	if ca := filepath.Join(filepath.Dir(c.path), "ca.crt"); isServer(c.c) && k.has(ca) {
		roots, against = caPool(certs, func(p string) bool { return p == ca }), ca
	}
	if roots.n == 0 {
		add(SeverityWarning, c.path, "certificate %q: no CA in %s to verify it against", c.c.Subject.CommonName, against)
		return
	}
	at := now
	if at.Before(c.c.NotBefore) {
		at = c.c.NotBefore
	} else if at.After(c.c.NotAfter) {
		at = c.c.NotAfter
	}
	_, err := c.c.Verify(x509.VerifyOptions{Roots: roots.p, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		add(SeverityError, c.path, "certificate %q does not verify against %s: %v", c.c.Subject.CommonName, against, err)
	}
}

func isServer(c *x509.Certificate) bool {
	return slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
}

func (k *Kit) has(p string) bool {
	_, ok := k.find(p)
	return ok
}

// checkKeys checks each X.crt against the X.key beside it, as kubeadm names the pairs.
func (k *Kit) checkKeys(add addFunc) {
	for _, f := range k.Files {
		if !strings.HasSuffix(f.Path, ".crt") {
			continue
		}
		keyPath := strings.TrimSuffix(f.Path, ".crt") + ".key"
		key, ok := k.File(keyPath)
		if !ok || !strings.Contains(string(f.data), "CERTIFICATE") {
			continue
		}
		if _, err := tls.X509KeyPair(f.data, key); err != nil {
			add(SeverityError, keyPath, "does not match %s: %v", filepath.Base(f.Path), err)
		}
	}
}
