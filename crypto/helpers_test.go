package crypto

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// testData returns n deterministic pseudo-random bytes.
func testData(n int, seed uint64) []byte {
	b := make([]byte, n)
	var s [32]byte
	s[0] = byte(seed)
	_, _ = rand.NewChaCha8(s).Read(b)
	return b
}

// encryptBytes encrypts data for rec with Encrypt, writing in 32 KiB pieces as io.Copy does.
func encryptBytes(t testing.TB, rec *Recipients, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := Encrypt(&out, rec)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		t.Fatalf("write plaintext: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close encrypt stream: %v", err)
	}
	return out.Bytes()
}

// decryptBytes runs Decrypt and reads the plaintext to its end; it returns the first error.
func decryptBytes(msg []byte, id *Identity) ([]byte, error) {
	r, err := Decrypt(bytes.NewReader(msg), id)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = io.Copy(&out, r)
	return out.Bytes(), err
}

func loadRecipients(t testing.TB, paths ...string) *Recipients {
	t.Helper()
	rec, err := LoadRecipients(paths)
	if err != nil {
		t.Fatalf("LoadRecipients: %v", err)
	}
	return rec
}

func loadIdentity(t testing.TB, k *gpgKey, armored bool) *Identity {
	t.Helper()
	path := k.secBinary
	if armored {
		path = k.secArmored
	}
	id, err := LoadIdentity(path, k.passFile)
	if err != nil {
		t.Fatalf("LoadIdentity %s: %v", k.name, err)
	}
	return id
}

// writeTemp writes data to a new file in dir and returns its path.
func writeTemp(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
