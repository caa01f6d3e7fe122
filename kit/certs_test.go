package kit

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// findings lists the findings of severity s as strings.
func findings(fs []Finding, s Severity) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f.String())
		}
	}
	return out
}

func TestCheckCertsGoodKit(t *testing.T) {
	k := collect(t, kubeadmTree(t).opts)
	if fs := k.CheckCerts(time.Now()); len(fs) != 0 {
		t.Fatalf("findings on a good kit: %v", fs)
	}
}

func TestCheckCertsFindsProblems(t *testing.T) {
	tr := kubeadmTree(t)
	now := time.Now()
	// server.crt signed by another CA, which the kit holds too: only pki/etcd/ca.crt may sign it.
	other := newCert(t, nil, "other-ca", true, nil, now.Add(-time.Hour), now.Add(time.Hour*24*365))
	writeFile(t, filepath.Join(tr.pki, "other-ca.crt"), other.certPEM, 0o644)
	server := newCert(t, &other, "server", false, serverClient, now.Add(-time.Hour), now.Add(time.Hour*24*365))
	writeFile(t, filepath.Join(tr.pki, "server.crt"), server.certPEM, 0o644)
	writeFile(t, filepath.Join(tr.pki, "server.key"), server.keyPEM, 0o600)
	// peer.crt expired; healthcheck-client.crt expires in 10 days and its key is another's.
	peer := newCert(t, &tr.ca, "peer", false, serverClient, now.Add(-48*time.Hour), now.Add(-time.Hour))
	writeFile(t, filepath.Join(tr.pki, "peer.crt"), peer.certPEM, 0o644)
	writeFile(t, filepath.Join(tr.pki, "peer.key"), peer.keyPEM, 0o600)
	client := newCert(t, &tr.ca, "healthcheck-client", false, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		now.Add(-time.Hour), now.Add(10*24*time.Hour))
	writeFile(t, filepath.Join(tr.pki, "healthcheck-client.crt"), client.certPEM, 0o644)
	writeFile(t, filepath.Join(tr.pki, "healthcheck-client.key"), peer.keyPEM, 0o600)

	fs := collect(t, tr.opts).CheckCerts(now)
	errs, warns := findings(fs, SeverityError), findings(fs, SeverityWarning)
	want := []string{
		"error: " + filepath.Join(tr.pki, "healthcheck-client.key") + ": does not match healthcheck-client.crt",
		"error: " + filepath.Join(tr.pki, "peer.crt") + `: certificate "peer" expired on`,
		"error: " + filepath.Join(tr.pki, "server.crt") + `: certificate "server" does not verify against ` +
			filepath.Join(tr.pki, "ca.crt"),
	}
	if len(errs) != len(want) {
		t.Fatalf("errors:\n%s\nwant %d", strings.Join(errs, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Fatalf("error %d = %s, want %s...", i, errs[i], w)
		}
	}
	if len(warns) != 1 || !strings.Contains(warns[0], `certificate "healthcheck-client" expires on`) {
		t.Fatalf("warnings: %v", warns)
	}
}

func TestCheckCertsNotYetValidAndNoCA(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	ca := newCert(t, nil, "ca", true, nil, now.Add(time.Hour), now.Add(48*time.Hour))
	leaf := newCert(t, &ca, "leaf", false, serverClient, now.Add(-time.Hour), now.Add(4800*time.Hour))
	writeFile(t, filepath.Join(dir, "a/ca.crt"), ca.certPEM, 0o644)
	writeFile(t, filepath.Join(dir, "b/leaf.crt"), leaf.certPEM, 0o644)
	fs := collect(t, Options{Paths: []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}}).CheckCerts(now)
	if len(fs) != 2 || !strings.Contains(fs[0].String(), `a/ca.crt: certificate "ca" is not valid before`) ||
		!strings.Contains(fs[1].String(), `b/leaf.crt: certificate "leaf" does not verify against the kit's CAs: x509: certificate has expired or is not yet valid`) {
		t.Fatalf("findings: %v", fs)
	}
	fs = collect(t, Options{Paths: []string{filepath.Join(dir, "b")}}).CheckCerts(now)
	if len(fs) != 1 || !strings.Contains(fs[0].String(), `warning: `+filepath.Join(dir, "b/leaf.crt")+`: certificate "leaf": no CA in the kit's CAs`) {
		t.Fatalf("findings: %v", fs)
	}
}
