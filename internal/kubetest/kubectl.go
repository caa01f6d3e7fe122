package kubetest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// kubectlTimeout bounds one kubectl run.
const kubectlTimeout = time.Minute

// writeKubeconfig writes a kubeconfig that reaches url with the PKI's client pair.
func writeKubeconfig(t testing.TB, dir, url string, p *etcdtest.PKI) string {
	t.Helper()
	path := filepath.Join(dir, "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, certificate-authority: %q}
users:
- name: test
  user: {client-certificate: %q, client-key: %q}
contexts:
- name: test
  context: {cluster: test, user: test}
current-context: test
`, url, p.CACert, p.ClientCert, p.ClientKey)
	writeFile(t, path, []byte(cfg), 0o600)
	return path
}

// Kubectl runs kubectl with args and returns its standard output; it fails the test on an error.
func (a *APIServer) Kubectl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := a.kubectl(args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// KubectlErr runs kubectl with args and returns its output and error, for refusals.
func (a *APIServer) KubectlErr(args ...string) (string, error) { return a.kubectl(args...) }

// Apply applies a manifest given on standard input.
func (a *APIServer) Apply(t testing.TB, manifest string) {
	t.Helper()
	if _, err := a.run(strings.NewReader(manifest), "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, manifest)
	}
}

func (a *APIServer) kubectl(args ...string) (string, error) { return a.run(nil, args...) }

func (a *APIServer) run(stdin *strings.Reader, args ...string) (string, error) {
	cmd := exec.Command(a.kubectlBin, append([]string{"--kubeconfig", a.Kubeconfig, "--request-timeout", "30s"}, args...)...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(kubectlTimeout, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	if err := cmd.Wait(); err != nil {
		return out.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// HTTP is a client that reaches the API server as kubectl does, for requests kubectl cannot make
// (a list or a watch from a given resourceVersion).
func (a *APIServer) HTTP(t testing.TB) *http.Client {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(a.pki.ClientCert, a.pki.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(a.pki.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}}}
}
