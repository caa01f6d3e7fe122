package verify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteBehind writes a little over two chunks through writeBehind in odd-sized pieces: the
// file holds exactly what was written, the writeback of every whole chunk was started, and a
// writeHook error fails the write as it does any plain snapshot write.
func TestWriteBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := createPrivate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := make([]byte, 2*behindChunk+12345)
	for i := range want {
		want[i] = byte(i * 7)
	}
	w := &writeBehind{f: f}
	for p := want; len(p) > 0; {
		n := min(len(p), 1<<20+3)
		if k, err := w.Write(p[:n]); k != n || err != nil {
			t.Fatalf("Write = %d, %v", k, err)
		}
		p = p[n:]
	}
	if w.n != int64(len(want)) || w.started < 2*behindChunk || w.started > w.n {
		t.Fatalf("written %d, writeback started up to %d", w.n, w.started)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the file differs from what was written (%v)", err)
	}

	boom := errors.New("boom")
	writeHook = func(int64) error { return boom }
	defer func() { writeHook = nil }()
	if _, err := w.Write([]byte("x")); !errors.Is(err, boom) {
		t.Fatalf("Write with a failing hook = %v", err)
	}
}
