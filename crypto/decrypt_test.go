package crypto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDecryptWrongKey(t *testing.T) {
	h := testGPG(t)
	a, b, rsa := h.key(t, "cv25519"), h.key(t, "cv25519-b"), h.key(t, "rsa")
	data := testData(10<<10, 2)
	tests := []struct {
		name string
		msg  []byte
		want string // part of the error message
	}{
		{"ours to another key", encryptBytes(t, loadRecipients(t, a.pubArmored), data), a.encKeyID},
		{"ours to two other keys", encryptBytes(t, loadRecipients(t, a.pubArmored, rsa.pubArmored), data), rsa.encKeyID},
		{"gpg to another key", gpgEncrypt(t, h, data, nil, a.fpr), a.encKeyID},
		{"gpg anonymous recipient", gpgEncrypt(t, h, data, []string{"--throw-keyids"}, a.fpr), "anonymous"},
		{"gpg passphrase only", gpgSymmetric(t, h, data), "passphrase"},
	}
	id := loadIdentity(t, b, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decryptBytes(tt.msg, id)
			if !errors.Is(err, ErrWrongKey) {
				t.Fatalf("Decrypt: got %v, want an error wrapping ErrWrongKey", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q: want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecryptTampered(t *testing.T) {
	h := testGPG(t)
	k := h.key(t, "cv25519")
	id := loadIdentity(t, k, true)
	data := testData(1<<20, 4)
	ours := encryptBytes(t, loadRecipients(t, k.pubArmored), data)
	theirs := gpgEncrypt(t, h, data, nil, k.fpr) // compressed by gpg
	flip := func(msg []byte, at int) []byte {
		out := bytes.Clone(msg)
		out[at] ^= 0x01
		return out
	}
	tests := []struct {
		name      string
		msg       []byte
		integrity bool   // the error must wrap ErrIntegrity
		want      string // part of the error message
	}{
		{"first byte", flip(ours, 0), false, "not an OpenPGP message"},
		{"session key", flip(ours, 20), true, ""},
		{"first data byte", flip(ours, 120), true, ""},
		{"middle", flip(ours, len(ours)/2), true, ""},
		{"last byte", flip(ours, len(ours)-1), true, ""},
		{"MDC header", flip(ours, len(ours)-22), true, ""},
		{"gpg middle", flip(theirs, len(theirs)/2), true, ""},
		{"gpg last byte", flip(theirs, len(theirs)-1), true, ""},
		{"truncated by one byte", ours[:len(ours)-1], true, ""},
		{"truncated MDC", ours[:len(ours)-22], true, ""},
		{"truncated in half", ours[:len(ours)/2], true, ""},
		{"truncated in the header", ours[:50], true, ""},
		{"gpg truncated", theirs[:len(theirs)-100], true, ""},
		{"data appended", append(bytes.Clone(ours), 0xc1, 0), true, "after the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decryptBytes(tt.msg, id)
			if err == nil {
				t.Fatalf("Decrypt of a damaged message: no error")
			}
			if tt.integrity && !errors.Is(err, ErrIntegrity) {
				t.Fatalf("Decrypt: got %v, want an error wrapping ErrIntegrity", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q: want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecryptNotOpenPGP(t *testing.T) {
	h := testGPG(t)
	id := loadIdentity(t, h.key(t, "cv25519"), false)
	stored := h.run(t, "", "--output", "-", "--store", writeTemp(t, t.TempDir(), "plain", []byte("plain")))
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "input is empty"},
		{"text", []byte("hello world\n"), "not an OpenPGP message"},
		{"PEM", pemCertificate(t), "not an OpenPGP message"},
		{"public key", readFile(t, h.key(t, "cv25519").pubBinary), "not an encrypted message"},
		{"unencrypted literal data", stored, "not an encrypted message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decryptBytes(tt.in, id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decrypt: got %v, want an error containing %q", err, tt.want)
			}
			if errors.Is(err, ErrIntegrity) || errors.Is(err, ErrWrongKey) {
				t.Fatalf("Decrypt: got %v, want neither ErrIntegrity nor ErrWrongKey", err)
			}
		})
	}
}

// TestDecryptSourceError checks that a failing input is reported as such, not as tampering.
func TestDecryptSourceError(t *testing.T) {
	h := testGPG(t)
	k := h.key(t, "cv25519")
	msg := encryptBytes(t, loadRecipients(t, k.pubArmored), testData(1<<20, 6))
	errNet := errors.New("connection reset")
	for _, cut := range []int{10, len(msg) / 2} {
		src := io.MultiReader(bytes.NewReader(msg[:cut]), iotest.ErrReader(errNet))
		r, err := Decrypt(src, loadIdentity(t, k, true))
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		if !errors.Is(err, errNet) || errors.Is(err, ErrIntegrity) {
			t.Fatalf("cut at %d: got %v, want the input error and not ErrIntegrity", cut, err)
		}
	}
}

// gpgSymmetric encrypts data with a passphrase only.
func gpgSymmetric(t *testing.T, h *gpgHome, data []byte) []byte {
	t.Helper()
	in := writeTemp(t, t.TempDir(), "plain", data)
	return h.run(t, "secret", "--output", "-", "--symmetric", in)
}

// TestConcurrentUse shares one Recipients and one Identity between goroutines; run it with -race.
func TestConcurrentUse(t *testing.T) {
	h := testGPG(t)
	a, rsa := h.key(t, "cv25519"), h.key(t, "rsa")
	rec := loadRecipients(t, a.pubArmored, rsa.pubArmored)
	ids := []*Identity{loadIdentity(t, a, true), loadIdentity(t, rsa, false)}
	errs := make(chan error, 8)
	for i := range cap(errs) {
		go func() {
			data := testData(100<<10, uint64(i))
			var msg bytes.Buffer
			w, err := Encrypt(&msg, rec)
			if err == nil {
				_, err = w.Write(data)
			}
			if err == nil {
				err = w.Close()
			}
			if err != nil {
				errs <- err
				return
			}
			got, err := decryptBytes(msg.Bytes(), ids[i%2])
			if err == nil && !bytes.Equal(got, data) {
				err = errors.New("plaintext differs")
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent encrypt and decrypt: %v", err)
		}
	}
}
