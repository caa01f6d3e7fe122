package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func TestLoadRecipients(t *testing.T) {
	h := testGPG(t)
	a, b, rsa := h.key(t, "cv25519"), h.key(t, "cv25519-b"), h.key(t, "rsa")
	dir := t.TempDir()
	twoBinary := writeTemp(t, dir, "two.gpg", h.run(t, "", "--export", a.fpr, rsa.fpr))
	twoArmored := writeTemp(t, dir, "two.asc", concatFiles(t, b.pubArmored, rsa.pubArmored))
	withText := writeTemp(t, dir, "text.asc", append([]byte("backup key, see wiki\n\n"), readFile(t, a.pubArmored)...))
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"armored", []string{a.pubArmored}, []string{a.fpr}},
		{"binary", []string{rsa.pubBinary}, []string{rsa.fpr}},
		{"load order", []string{rsa.pubBinary, a.pubArmored, b.pubBinary}, []string{rsa.fpr, a.fpr, b.fpr}},
		{"two keys in a binary file", []string{twoBinary}, []string{a.fpr, rsa.fpr}},
		{"two armored blocks in a file", []string{twoArmored}, []string{b.fpr, rsa.fpr}},
		{"text before the armor", []string{withText}, []string{a.fpr}},
		{"duplicates used once", []string{a.pubArmored, a.pubBinary, twoBinary}, []string{a.fpr, rsa.fpr}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := LoadRecipients(tt.paths)
			if err != nil {
				t.Fatalf("LoadRecipients: %v", err)
			}
			if got := rec.Fingerprints(); !slices.Equal(got, tt.want) {
				t.Fatalf("Fingerprints: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadRecipientsErrors(t *testing.T) {
	h := testGPG(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want string // part of the error message
	}{
		{"missing file", filepath.Join(dir, "missing.asc"), "no such file"},
		{"empty file", writeTemp(t, dir, "empty.asc", nil), "file is empty"},
		{"text", writeTemp(t, dir, "text.asc", []byte("this is not a key\n")), "not an OpenPGP key"},
		{"random bytes", writeTemp(t, dir, "random.gpg", testData(4096, 9)), "OpenPGP key"},
		{"PEM certificate", writeTemp(t, dir, "cert.pem", pemCertificate(t)), `PEM "CERTIFICATE" block`},
		{"armored message", writeTemp(t, dir, "msg.asc", gpgEncrypt(t, h, []byte("x"),
			[]string{"--armor"}, h.key(t, "cv25519").fpr)), `"PGP MESSAGE"`},
		{"sign-only key", h.key(t, "signonly").pubArmored, "sign-only"},
		{"expired key", h.key(t, "expired").pubBinary, "expired"},
		{"revoked key", h.key(t, "revoked").pubArmored, "revoked"},
		{"secret key", h.key(t, "cv25519").secArmored, "private key"},
		{"secret key binary", h.key(t, "rsa").secBinary, "private key"},
		{"v6 key", writeTemp(t, dir, "v6.gpg", v6PublicKey(t)), "v6 key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := h.key(t, "cv25519").pubArmored
			_, err := LoadRecipients([]string{good, tt.path})
			if err == nil {
				t.Fatalf("LoadRecipients(%s): no error", tt.path)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.path) || !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q: want it to name %s and contain %q", msg, tt.path, tt.want)
			}
		})
	}
	t.Run("no paths", func(t *testing.T) {
		if _, err := LoadRecipients(nil); err == nil {
			t.Fatalf("LoadRecipients(nil): no error")
		}
	})
}

// pemCertificate returns a self-signed X.509 certificate in PEM.
func pemCertificate(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "etcd-backupd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// v6PublicKey returns a v6 public key, which gpg 2.2 cannot produce.
func v6PublicKey(t *testing.T) []byte {
	t.Helper()
	cfg := &packet.Config{V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519}
	e, err := openpgp.NewEntity("v6", "", "v6@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func concatFiles(t *testing.T, paths ...string) []byte {
	t.Helper()
	var out []byte
	for _, p := range paths {
		out = append(out, readFile(t, p)...)
	}
	return out
}
