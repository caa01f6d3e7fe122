package crypto

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEncryptNoRecipients(t *testing.T) {
	for _, rec := range []*Recipients{nil, {}} {
		if _, err := Encrypt(&bytes.Buffer{}, rec); err == nil {
			t.Fatalf("Encrypt(%v): no error", rec)
		}
	}
}

// TestEncryptClose checks that Close leaves the destination open and that the stream refuses
// writes once closed.
func TestEncryptClose(t *testing.T) {
	h := testGPG(t)
	k := h.key(t, "cv25519")
	f, err := os.Create(filepath.Join(t.TempDir(), "msg.pgp"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := Encrypt(f, loadRecipients(t, k.pubBinary))
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	data := testData(70<<10, 8)
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := w.Write([]byte("late")); !errors.Is(err, errClosed) {
		t.Fatalf("Write after Close: got %v, want errClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := f.Write([]byte{}); err != nil {
		t.Fatalf("destination closed by Encrypt's Close: %v", err)
	}
	got, err := decryptBytes(readFile(t, f.Name()), loadIdentity(t, k, false))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Decrypt: got %d bytes, err %v; want %d identical bytes", len(got), err, len(data))
	}
}
