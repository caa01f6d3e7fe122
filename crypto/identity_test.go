package crypto

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadIdentity(t *testing.T) {
	h := testGPG(t)
	prot, plain := h.key(t, "protected"), h.key(t, "cv25519")
	dir := t.TempDir()
	pass := func(name, content string) string { return writeTemp(t, dir, name, []byte(content)) }
	tests := []struct {
		name     string
		keyFile  string
		passFile string
		key      *gpgKey
	}{
		{"protected armored", prot.secArmored, prot.passFile, prot},
		{"protected binary", prot.secBinary, prot.passFile, prot},
		{"passphrase without newline", prot.secArmored, pass("bare", prot.passphrase), prot},
		{"passphrase with CRLF", prot.secArmored, pass("crlf", prot.passphrase+"\r\n"), prot},
		{"unprotected key ignores passphrase file", plain.secBinary, prot.passFile, plain},
		{"unprotected key without passphrase file", plain.secArmored, "", plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := LoadIdentity(tt.keyFile, tt.passFile)
			if err != nil {
				t.Fatalf("LoadIdentity: %v", err)
			}
			if got := id.Fingerprints(); !slices.Equal(got, []string{tt.key.fpr}) {
				t.Fatalf("Fingerprints: got %v, want [%s]", got, tt.key.fpr)
			}
			data := testData(50<<10, 5)
			got, err := decryptBytes(gpgEncrypt(t, h, data, nil, tt.key.fpr), id)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
			}
		})
	}
}

func TestLoadIdentityErrors(t *testing.T) {
	h := testGPG(t)
	prot := h.key(t, "protected")
	dir := t.TempDir()
	wrongPass := writeTemp(t, dir, "wrong.pass", []byte("wrong horse\n"))
	tests := []struct {
		name     string
		keyFile  string
		passFile string
		wantErr  error  // checked with errors.Is when set
		want     string // part of the error message
	}{
		{"wrong passphrase", prot.secArmored, wrongPass, ErrWrongPassphrase, prot.secArmored},
		{"wrong passphrase binary", prot.secBinary, wrongPass, ErrWrongPassphrase, prot.secBinary},
		{"no passphrase file", prot.secArmored, "", nil, "encryption.passphrase_file"},
		{"missing passphrase file", prot.secArmored, filepath.Join(dir, "missing"), nil, "missing"},
		{"public key only", prot.pubArmored, prot.passFile, nil, "public keys only"},
		{"sign-only secret key", h.key(t, "signonly").secArmored, "", nil, "no secret encryption key"},
		{"missing key file", filepath.Join(dir, "missing.key"), "", nil, "missing.key"},
		{"not a key", writeTemp(t, dir, "junk.key", []byte("junk\n")), "", nil, "not an OpenPGP key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadIdentity(tt.keyFile, tt.passFile)
			if err == nil {
				t.Fatalf("LoadIdentity(%s, %q): no error", tt.keyFile, tt.passFile)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %q: want it to wrap %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q: want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "horse") {
				t.Fatalf("error %q reveals the passphrase", err)
			}
		})
	}
}

// TestMultipleRecipients checks that each recipient's private key alone decrypts, with Decrypt and gpg.
func TestMultipleRecipients(t *testing.T) {
	h := testGPG(t)
	keys := []*gpgKey{h.key(t, "cv25519"), h.key(t, "rsa"), h.key(t, "protected")}
	rec := loadRecipients(t, keys[0].pubArmored, keys[1].pubBinary, keys[2].pubArmored)
	data := testData(1<<20+3, 11)
	msg := encryptBytes(t, rec, data)
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			got, err := decryptBytes(msg, loadIdentity(t, k, true))
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
			}
		})
	}
	t.Run("gpg", func(t *testing.T) {
		got, _ := gpgDecrypt(t, h, keys[2], msg)
		if !bytes.Equal(got, data) {
			t.Fatalf("gpg plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
		}
	})
}
