package kit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// pair is a certificate and its key, parsed and as PEM.
type pair struct {
	cert            *x509.Certificate
	key             *ecdsa.PrivateKey
	certPEM, keyPEM []byte
}

var serial int64

// newCert makes a certificate valid from nb to na, signed by parent (self-signed when nil).
func newCert(t *testing.T, parent *pair, cn string, isCA bool, usages []x509.ExtKeyUsage, nb, na time.Time) pair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: nb, NotAfter: na, IsCA: isCA, BasicConstraintsValid: true, ExtKeyUsage: usages,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	k, _ := x509.MarshalPKCS8PrivateKey(key)
	return pair{cert: c, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})}
}

var serverClient = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}

// tree is a fake kubeadm control-plane node under a temporary root.
type tree struct {
	root, pki, manifests, enc string
	ca                        pair
	opts                      Options
}

const encConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc: {keys: [{name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/}]}
      - identity: {}
`

// apiserverManifest names the EncryptionConfiguration at enc the way kubeadm writes the flag.
func apiserverManifest(enc string) string {
	return `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.33.0
    command:
    - kube-apiserver
    - --advertise-address=10.0.0.1
    - --encryption-provider-config=` + enc + `
    - --etcd-servers=https://127.0.0.1:2379
`
}

// kubeadmTree writes the etcd PKI (keys 0644 on purpose), the two manifests and an
// EncryptionConfiguration outside the kit's paths.
func kubeadmTree(t *testing.T) tree {
	t.Helper()
	root := t.TempDir()
	k8s := filepath.Join(root, "etc/kubernetes")
	tr := tree{root: root, pki: filepath.Join(k8s, "pki/etcd"), manifests: filepath.Join(k8s, "manifests"),
		enc: filepath.Join(root, "etc/kubernetes/enc/enc.yaml")}
	now := time.Now()
	tr.ca = newCert(t, nil, "etcd-ca", true, nil, now.Add(-time.Hour), now.Add(10*365*24*time.Hour))
	writeFile(t, filepath.Join(tr.pki, "ca.crt"), tr.ca.certPEM, 0o644)
	writeFile(t, filepath.Join(tr.pki, "ca.key"), tr.ca.keyPEM, 0o600)
	for _, name := range []string{"server", "peer", "healthcheck-client"} {
		usages := serverClient
		if name == "healthcheck-client" {
			usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		p := newCert(t, &tr.ca, name, false, usages, now.Add(-time.Hour), now.Add(365*24*time.Hour))
		writeFile(t, filepath.Join(tr.pki, name+".crt"), p.certPEM, 0o644)
		writeFile(t, filepath.Join(tr.pki, name+".key"), p.keyPEM, 0o644)
	}
	writeFile(t, filepath.Join(tr.manifests, "etcd.yaml"), []byte("apiVersion: v1\nkind: Pod\n"), 0o664)
	writeFile(t, filepath.Join(tr.manifests, "kube-apiserver.yaml"), []byte(apiserverManifest(tr.enc)), 0o600)
	writeFile(t, tr.enc, []byte(encConfig), 0o644)
	tr.opts = Options{Paths: []string{tr.pki, filepath.Join(tr.manifests, "etcd.yaml"),
		filepath.Join(tr.manifests, "kube-apiserver.yaml")}, EncryptionConfig: Auto}
	return tr
}

// writeFile writes data with exactly mode, making the parents.
func writeFile(t *testing.T, p string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T, o Options) *Kit {
	t.Helper()
	k, err := Collect(o)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return k
}

// withUmask runs f under umask m: the process's umask, so the tests that use it are not parallel.
func withUmask(m int, f func()) {
	old := syscall.Umask(m)
	defer syscall.Umask(old)
	f()
}

// listTree lists every path under dir, relative, with its mode.
func listTree(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	out := map[string]os.FileMode{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
