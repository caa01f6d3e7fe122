package snapstat

import (
	"math/rand/v2"
	"os"
	"testing"
)

// TestWordsSpill writes and reads a words array at random places through a two-chunk budget and
// compares every word with a plain slice: eviction, write-back and reload keep what was set.
func TestWordsSpill(t *testing.T) {
	w := newWords(16, 2, t.TempDir())
	defer w.close()
	ref := make([]uint64, 5000)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		i := uint64(rng.IntN(len(ref)))
		if rng.IntN(2) == 0 {
			v := rng.Uint64()
			w.set(i, v)
			ref[i] = v
		} else if got := w.at(i); got != ref[i] {
			t.Fatalf("at(%d) = %d, want %d", i, got, ref[i])
		}
	}
	if w.file == nil {
		t.Fatal("nothing was spilled with a budget of two chunks")
	}
	if fi, err := w.file.Stat(); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("spill file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if _, err := os.Stat(w.file.Name()); !os.IsNotExist(err) {
		t.Fatalf("spill file %s is linked: %v", w.file.Name(), err)
	}
	got := w.read(nil, 0, uint64(len(ref)))
	for i := range ref {
		if got[i] != ref[i] {
			t.Fatalf("read word %d = %d, want %d", i, got[i], ref[i])
		}
	}
	if len(w.resident) > 2 {
		t.Fatalf("%d chunks resident, budget 2", len(w.resident))
	}
}
