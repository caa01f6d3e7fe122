package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestFileStallTimeout: the file store keeps the stall period it was opened with, as the object
// stores do, and falls back to the default.
func TestFileStallTimeout(t *testing.T) {
	for _, c := range []struct{ set, want time.Duration }{{0, DefaultStallTimeout}, {7 * time.Second, 7 * time.Second}} {
		s, err := Open(context.Background(), "file://"+filepath.Join(t.TempDir(), "d"), Options{StallTimeout: c.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := StallTimeout(s); got != c.want {
			t.Fatalf("StallTimeout with %v = %v, want %v", c.set, got, c.want)
		}
		s.Close()
	}
}
