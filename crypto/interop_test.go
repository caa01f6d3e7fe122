package crypto

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var interopSizes = []int{0, 1, 3<<20 + 17}

// TestEncryptGPGDecrypts checks that gpg decrypts what Encrypt writes and finds an intact MDC.
func TestEncryptGPGDecrypts(t *testing.T) {
	h := testGPG(t)
	for _, keyName := range []string{"cv25519", "rsa"} {
		for _, armored := range []bool{true, false} {
			for _, size := range interopSizes {
				name := fmt.Sprintf("%s/armored=%v/size=%d", keyName, armored, size)
				t.Run(name, func(t *testing.T) {
					k := h.key(t, keyName)
					pub := k.pubBinary
					if armored {
						pub = k.pubArmored
					}
					data := testData(size, uint64(size))
					msg := encryptBytes(t, loadRecipients(t, pub), data)
					got, status := gpgDecrypt(t, h, k, msg)
					if !bytes.Equal(got, data) {
						t.Fatalf("gpg plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
					}
					for _, want := range []string{"DECRYPTION_OKAY", "GOODMDC", "DECRYPTION_INFO 2 9"} {
						if !strings.Contains(status, want) {
							t.Fatalf("gpg status lacks %q:\n%s", want, status)
						}
					}
				})
			}
		}
	}
}

// TestEncryptPacketLayout checks the packets gpg sees: one session key per recipient,
// SEIPD v1 with MDC, a binary literal packet and no compression.
func TestEncryptPacketLayout(t *testing.T) {
	h := testGPG(t)
	keys := []*gpgKey{h.key(t, "cv25519"), h.key(t, "rsa")}
	msg := encryptBytes(t, loadRecipients(t, keys[0].pubArmored, keys[1].pubBinary), testData(1000, 1))
	path := writeTemp(t, t.TempDir(), "msg.pgp", msg)
	listing := string(h.run(t, "", "--list-packets", path))

	for _, k := range keys {
		want := ":pubkey enc packet: version 3, algo "
		if !strings.Contains(listing, want) || !strings.Contains(listing, "keyid "+k.encKeyID) {
			t.Fatalf("no session key packet for %s (subkey %s):\n%s", k.name, k.encKeyID, listing)
		}
	}
	for _, want := range []string{":encrypted data packet:", "mdc_method: 2", ":literal data packet:", "mode b"} {
		if !strings.Contains(listing, want) {
			t.Fatalf("packet listing lacks %q:\n%s", want, listing)
		}
	}
	for _, unwanted := range []string{":compressed packet:", ":aead encrypted packet:", ":signature packet:"} {
		if strings.Contains(listing, unwanted) {
			t.Fatalf("packet listing has %q:\n%s", unwanted, listing)
		}
	}
}

// TestGPGEncryptsWeDecrypt checks that Decrypt reads what gpg encrypts, with and without compression.
func TestGPGEncryptsWeDecrypt(t *testing.T) {
	h := testGPG(t)
	compressions := map[string][]string{"none": {"--compress-algo", "none"}, "default": nil}
	for _, keyName := range []string{"cv25519", "rsa"} {
		for _, comp := range []string{"none", "default"} {
			for _, size := range interopSizes {
				armoredKey := size%2 == 0
				name := fmt.Sprintf("%s/compress=%s/size=%d", keyName, comp, size)
				t.Run(name, func(t *testing.T) {
					k := h.key(t, keyName)
					data := testData(size, uint64(size)+7)
					msg := gpgEncrypt(t, h, data, compressions[comp], k.fpr)
					got, err := decryptBytes(msg, loadIdentity(t, k, armoredKey))
					if err != nil {
						t.Fatalf("Decrypt: %v", err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
					}
				})
			}
		}
	}
}

// TestGPGMessageForms checks messages that gpg writes in other forms than the backups use.
func TestGPGMessageForms(t *testing.T) {
	h := testGPG(t)
	k := h.key(t, "cv25519")
	data := testData(100<<10, 3)
	tests := []struct {
		name string
		args []string
	}{
		{"armored", []string{"--armor"}},
		{"anonymous recipient", []string{"--throw-keyids"}},
		{"signed", []string{"--sign", "--local-user", h.key(t, "rsa").fpr}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := gpgEncrypt(t, h, data, tt.args, k.fpr)
			got, err := decryptBytes(msg, loadIdentity(t, k, true))
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("plaintext: got %d bytes, want %d identical bytes", len(got), len(data))
			}
		})
	}
}

// gpgEncrypt encrypts data with gpg to the given fingerprints.
func gpgEncrypt(t testing.TB, h *gpgHome, data []byte, extra []string, fprs ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	in := writeTemp(t, dir, "plain", data)
	out := filepath.Join(dir, "msg.pgp")
	args := append([]string{"--output", out}, extra...)
	for _, f := range fprs {
		args = append(args, "--recipient", f)
	}
	h.run(t, "", append(args, "--encrypt", in)...)
	msg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// gpgDecrypt decrypts msg with gpg and returns the plaintext and gpg's status lines.
func gpgDecrypt(t testing.TB, h *gpgHome, k *gpgKey, msg []byte) ([]byte, string) {
	t.Helper()
	dir := t.TempDir()
	in := writeTemp(t, dir, "msg.pgp", msg)
	out, status := filepath.Join(dir, "plain"), filepath.Join(dir, "status")
	h.run(t, k.passphrase, "--status-file", status, "--output", out, "--decrypt", in)
	plain, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	return plain, string(st)
}
