package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFilePending checks that an unfinished write shows under the key it would commit, and that
// AbortPending removes only the temp files older than the cut-off.
func TestFilePending(t *testing.T) {
	dir := t.TempDir()
	s := openFileStore(t, dir).(*fileStore)
	ctx := context.Background()
	w, err := s.NewWriter(ctx, "a/b.db")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	stale := filepath.Join(dir, "a", "b.db.tmp-stale")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		prefix string
		want   int
	}{{"", 2}, {"a/", 2}, {"a/b", 2}, {"c/", 0}}
	for _, c := range cases {
		got, err := s.ListPending(ctx, c.prefix)
		if err != nil {
			t.Fatalf("ListPending(%q): %v", c.prefix, err)
		}
		if len(got) != c.want {
			t.Fatalf("ListPending(%q) = %+v, want %d writes", c.prefix, got, c.want)
		}
		for _, o := range got {
			if o.Key != "a/b.db" {
				t.Fatalf("ListPending(%q): key %q, want a/b.db", c.prefix, o.Key)
			}
		}
	}
	if err := s.AbortPending(ctx, "a/b.db", time.Now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListPending(ctx, ""); len(got) != 1 || !got[0].ModTime.After(old) {
		t.Fatalf("after AbortPending: %+v, want only the live write", got)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("the live write failed after AbortPending: %v", err)
	}
}
