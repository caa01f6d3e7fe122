package kubetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// readyTimeout bounds how long the API server may take to report ready.
const readyTimeout = 2 * time.Minute

// Options say what the API server stores in.
type Options struct {
	Etcd             []string      // etcd client URLs (https)
	PKI              *etcdtest.PKI // etcd's CA and a client pair; also serves and authenticates the API server
	EncryptionConfig string        // --encryption-provider-config; "" stores in the clear
}

// APIServer is one kube-apiserver process on loopback.
type APIServer struct {
	URL        string
	Kubeconfig string
	pki        *etcdtest.PKI
	kubectlBin string
	logPath    string
	cmd        *exec.Cmd
	done       chan struct{}
}

// Start starts kube-apiserver on o.Etcd and waits until /readyz answers ok. It is stopped on
// cleanup, and its log is printed if the test fails.
func Start(t testing.TB, o Options) *APIServer {
	t.Helper()
	bin := testgate.Require(t, "kube-apiserver")
	dir := t.TempDir()
	port := testgate.FreePort(t)
	a := &APIServer{URL: fmt.Sprintf("https://127.0.0.1:%d", port), pki: o.PKI,
		logPath: filepath.Join(dir, "kube-apiserver.log"), kubectlBin: testgate.Require(t, "kubectl")}
	a.Kubeconfig = writeKubeconfig(t, dir, a.URL, o.PKI)
	saKey, saPub := serviceAccountKeys(t, dir)
	args := []string{
		"--etcd-servers=" + strings.Join(o.Etcd, ","),
		"--etcd-cafile=" + o.PKI.CACert, "--etcd-certfile=" + o.PKI.ClientCert, "--etcd-keyfile=" + o.PKI.ClientKey,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + o.PKI.ServerCert, "--tls-private-key-file=" + o.PKI.ServerKey,
		"--client-ca-file=" + o.PKI.CACert, "--authorization-mode=AlwaysAllow",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + saPub, "--service-account-signing-key-file=" + saKey,
		"--service-cluster-ip-range=10.96.0.0/24",
		"--endpoint-reconciler-type=none", // loopback only: no endpoints for the kubernetes service
		"--enable-priority-and-fairness=false", "--profiling=false",
		"--cert-dir=" + filepath.Join(dir, "certs"),
	}
	if o.EncryptionConfig != "" {
		args = append(args, "--encryption-provider-config="+o.EncryptionConfig)
	}
	a.start(t, bin, args)
	t.Cleanup(a.Stop)
	a.waitReady(t)
	return a
}

func (a *APIServer) start(t testing.TB, bin string, args []string) {
	t.Helper()
	f, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Stdout, a.cmd.Stderr = f, f
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := a.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start kube-apiserver: %v", err)
	}
	a.done = make(chan struct{})
	go func() {
		_ = a.cmd.Wait()
		f.Close()
		close(a.done)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- %s (last 16 KiB) ---\n%s", a.logPath, tail(a.logPath, 16<<10))
		}
	})
}

// waitReady polls /readyz until it answers ok, the process exits or readyTimeout passes.
func (a *APIServer) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-a.done:
			t.Fatalf("kube-apiserver exited before ready; log %s:\n%s", a.logPath, tail(a.logPath, 16<<10))
		default:
		}
		out, err := a.kubectl("get", "--raw", "/readyz")
		if err == nil && strings.TrimSpace(out) == "ok" {
			return
		}
		last = out
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("kube-apiserver not ready after %s: %s", readyTimeout, last)
}

// Stop sends SIGTERM and waits for the exit, killing it after 20 seconds: an API server whose
// etcd is gone may hang on a graceful stop.
func (a *APIServer) Stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	select {
	case <-a.done:
		return
	default:
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
}

// serviceAccountKeys writes the key pair the API server signs service account tokens with.
func serviceAccountKeys(t testing.TB, dir string) (key, pub string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pder, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	key, pub = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	writeFile(t, key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	writeFile(t, pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644)
	return key, pub
}

func writeFile(t testing.TB, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// tail returns up to the last n bytes of the file at path.
func tail(path string, n int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if int64(len(data)) > n {
		data = data[int64(len(data))-n:]
	}
	return string(data)
}
