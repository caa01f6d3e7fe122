package crypto

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
)

// rekeyKeys are two gpg keys, A unprotected and B protected, each in a home of its own.
type rekeyKeys struct {
	a, b     *gpgtest.Key
	idA, idB *Identity
	recA     *Recipients
	recB     *Recipients
	recAB    *Recipients
}

func newRekeyKeys(t testing.TB) *rekeyKeys {
	t.Helper()
	t.Cleanup(gpgtest.Cleanup)
	k := &rekeyKeys{
		a: gpgtest.NewKey(t, "rekey-a", "future-default", ""),
		b: gpgtest.NewKey(t, "rekey-b", "future-default", "b pass"),
	}
	var err error
	if k.idA, err = LoadIdentity(k.a.SecretFile, k.a.PassphraseFile); err != nil {
		t.Fatal(err)
	}
	if k.idB, err = LoadIdentity(k.b.SecretFile, k.b.PassphraseFile); err != nil {
		t.Fatal(err)
	}
	k.recA = loadRecipients(t, k.a.PublicFile)
	k.recB = loadRecipients(t, k.b.PublicFile)
	k.recAB = loadRecipients(t, k.a.PublicFile, k.b.PublicFile)
	return k
}

func rekeyBytes(msg []byte, id *Identity, to *Recipients) ([]byte, Rekeyed, error) {
	var out bytes.Buffer
	res, err := Rekey(&out, bytes.NewReader(msg), id, to)
	return out.Bytes(), res, err
}

func TestRekey(t *testing.T) {
	k := newRekeyKeys(t)
	data := testData(3<<20+17, 7)
	msg := encryptBytes(t, k.recA, data)

	t.Run("AToB", func(t *testing.T) {
		out, res, err := rekeyBytes(msg, k.idA, k.recB)
		if err != nil {
			t.Fatalf("Rekey: %v", err)
		}
		if !slices.Equal(res.Recipients, []string{k.b.Fingerprint}) {
			t.Fatalf("recipients %v, want [%s]", res.Recipients, k.b.Fingerprint)
		}
		if res.DataIn <= 0 || res.DataOut <= 0 || !bytes.Equal(msg[res.DataIn:], out[res.DataOut:]) {
			t.Fatalf("data packet differs (in at %d of %d, out at %d of %d)", res.DataIn, len(msg), res.DataOut, len(out))
		}
		if got, err := decryptBytes(out, k.idB); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Decrypt with B: %d bytes, err %v; want the %d plaintext bytes", len(got), err, len(data))
		}
		if _, err := decryptBytes(out, k.idA); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("Decrypt with A: %v, want ErrWrongKey", err)
		}
		file := writeTemp(t, t.TempDir(), "rekeyed.pgp", out)
		if got := k.b.Decrypt(t, file); !bytes.Equal(got, data) {
			t.Fatalf("gpg --decrypt with B: %d bytes, want the %d plaintext bytes", len(got), len(data))
		}
	})

	t.Run("ToBoth", func(t *testing.T) {
		out, res, err := rekeyBytes(msg, k.idA, k.recAB)
		if err != nil {
			t.Fatalf("Rekey: %v", err)
		}
		if len(res.Recipients) != 2 {
			t.Fatalf("recipients %v, want A and B", res.Recipients)
		}
		for _, id := range []*Identity{k.idA, k.idB} {
			if got, err := decryptBytes(out, id); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Decrypt with %v: err %v", id.Fingerprints(), err)
			}
		}
	})

	t.Run("WrongKey", func(t *testing.T) {
		_, _, err := rekeyBytes(msg, k.idB, k.recB)
		if !errors.Is(err, ErrWrongKey) {
			t.Fatalf("Rekey with B of a message to A: %v, want ErrWrongKey", err)
		}
	})

	t.Run("Truncated", func(t *testing.T) {
		_, res, err := rekeyBytes(msg, k.idA, k.recB)
		if err != nil {
			t.Fatal(err)
		}
		for n := int64(0); n <= res.DataIn+1; n++ {
			if _, _, err := rekeyBytes(msg[:n], k.idA, k.recB); err == nil {
				t.Fatalf("Rekey of the first %d bytes: no error", n)
			}
		}
	})
}

// TestRekeyGPGMessage rekeys what gpg itself encrypted.
func TestRekeyGPGMessage(t *testing.T) {
	k := newRekeyKeys(t)
	data := testData(100<<10, 3)
	out, _, err := rekeyBytes(k.a.Encrypt(t, data), k.idA, k.recB)
	if err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	file := filepath.Join(t.TempDir(), "m.pgp")
	writeTemp(t, filepath.Dir(file), filepath.Base(file), out)
	if got := k.b.Decrypt(t, file); !bytes.Equal(got, data) {
		t.Fatalf("gpg --decrypt with B: %d bytes, want %d", len(got), len(data))
	}
}

// BenchmarkRekey measures Rekey on a 100 MiB message; the data packet is copied, never decrypted.
func BenchmarkRekey(b *testing.B) {
	k := newRekeyKeys(b)
	msg := encryptBytes(b, k.recA, testData(100<<20, 5))
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Rekey(io.Discard, bytes.NewReader(msg), k.idA, k.recB); err != nil {
			b.Fatal(err)
		}
	}
}
