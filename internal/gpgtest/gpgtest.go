// Package gpgtest makes throwaway OpenPGP keys with the real gpg binary, for tests.
package gpgtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// Key is a key pair in its own GNUPGHOME, exported to files.
type Key struct {
	Home           string
	PublicFile     string // armored public key
	SecretFile     string // armored secret key
	PassphraseFile string // "" for an unprotected key
	Fingerprint    string
	gpg            string
}

var (
	mu    sync.Mutex
	keys  = map[string]*Key{}
	homes []string
)

// NewKey returns the key called name, generating it once per test binary. A non-empty passphrase
// protects it. Algo is gpg's --quick-gen-key algorithm: "future-default" (cv25519) or "rsa3072".
func NewKey(t testing.TB, name, algo, passphrase string) *Key {
	t.Helper()
	gpg := testgate.Require(t, "gpg")
	mu.Lock()
	defer mu.Unlock()
	if k := keys[name]; k != nil {
		return k
	}
	k, err := generate(gpg, name, algo, passphrase)
	if err != nil {
		t.Fatalf("gpg key %s: %v", name, err)
	}
	keys[name] = k
	return k
}

func generate(gpg, name, algo, passphrase string) (*Key, error) {
	home, err := os.MkdirTemp("", "ebd-gpg-")
	if err != nil {
		return nil, err
	}
	homes = append(homes, home)
	k := &Key{Home: home, gpg: gpg}
	uid := fmt.Sprintf("%s <%s@example.com>", name, name)
	if _, err := k.run(nil, "--passphrase", passphrase, "--quick-gen-key", uid, algo, "default", "never"); err != nil {
		return nil, err
	}
	k.PublicFile = filepath.Join(home, name+".pub.asc")
	k.SecretFile = filepath.Join(home, name+".sec.asc")
	if err := k.export(k.PublicFile, passphrase, "--export"); err != nil {
		return nil, err
	}
	if err := k.export(k.SecretFile, passphrase, "--export-secret-keys"); err != nil {
		return nil, err
	}
	if passphrase != "" {
		k.PassphraseFile = filepath.Join(home, name+".pass")
		if err := os.WriteFile(k.PassphraseFile, []byte(passphrase+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	out, err := k.run(nil, "--with-colons", "--fingerprint", uid)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			k.Fingerprint = f[9]
			break
		}
	}
	return k, nil
}

func (k *Key) export(path, passphrase, what string) error {
	out, err := k.run(nil, "--passphrase", passphrase, "--armor", what)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

func (k *Key) run(stdin []byte, args ...string) ([]byte, error) {
	args = append([]string{"--homedir", k.Home, "--batch", "--yes", "--pinentry-mode", "loopback"}, args...)
	cmd := exec.Command(k.gpg, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gpg %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// Decrypt runs gpg --decrypt on file and returns the plaintext.
func (k *Key) Decrypt(t testing.TB, file string) []byte {
	t.Helper()
	out, err := k.run(nil, "--passphrase-file", k.passFile(), "--decrypt", file)
	if err != nil {
		t.Fatalf("decrypt %s: %v", file, err)
	}
	return out
}

// Encrypt runs gpg --encrypt to this key.
func (k *Key) Encrypt(t testing.TB, plain []byte) []byte {
	t.Helper()
	out, err := k.run(plain, "--trust-model", "always", "--recipient", k.Fingerprint, "--encrypt")
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	return out
}

func (k *Key) passFile() string {
	if k.PassphraseFile == "" {
		return os.DevNull
	}
	return k.PassphraseFile
}

// Cleanup stops the gpg agents and removes the homes. Call it from TestMain after m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	for _, h := range homes {
		exec.Command("gpgconf", "--homedir", h, "--kill", "gpg-agent").Run()
		os.RemoveAll(h)
	}
	homes, keys = nil, map[string]*Key{}
}
