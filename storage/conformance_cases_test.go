package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func testList(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	data := map[string]string{
		"c/snapshots/1.db":   "one-db",
		"c/snapshots/1.json": "{}",
		"c/drills/1.a.json":  "drill",
		"c-2/y":              "y",
		"c/snapshots2/z":     "z",
		"top":                "top-level",
	}
	for k, v := range data {
		put(t, s, k, []byte(v))
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"c-2/y", "c/drills/1.a.json", "c/snapshots/1.db", "c/snapshots/1.json", "c/snapshots2/z", "top"}},
		{"c/", []string{"c/drills/1.a.json", "c/snapshots/1.db", "c/snapshots/1.json", "c/snapshots2/z"}},
		{"c/snapshots/", []string{"c/snapshots/1.db", "c/snapshots/1.json"}},
		{"c/snap", []string{"c/snapshots/1.db", "c/snapshots/1.json", "c/snapshots2/z"}},
		{"c/snapshots/1.j", []string{"c/snapshots/1.json"}},
		{"c", []string{"c-2/y", "c/drills/1.a.json", "c/snapshots/1.db", "c/snapshots/1.json", "c/snapshots2/z"}},
		{"nope/", []string{}},
		{"top/", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			objs := list(t, s, tc.prefix)
			if got := keys(objs); !slices.Equal(got, tc.want) {
				t.Fatalf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
			for _, o := range objs {
				if o.Size != int64(len(data[o.Key])) {
					t.Fatalf("List(%q): %s has size %d, want %d", tc.prefix, o.Key, o.Size, len(data[o.Key]))
				}
				if o.ModTime.IsZero() {
					t.Fatalf("List(%q): %s has a zero ModTime", tc.prefix, o.Key)
				}
			}
		})
	}
}

// testPrefixIsolation opens two stores on the same root at different URL
// paths: neither sees nor deletes the other's objects.
func testPrefixIsolation(t *testing.T, open func(t *testing.T) Store) {
	a, b := open(t), open(t)
	if a.String() == b.String() {
		t.Fatalf("open returned the same URL %s twice, want distinct paths", a)
	}
	put(t, a, "shared/k", []byte("from a"))
	if got := keys(list(t, b, "")); len(got) != 0 {
		t.Fatalf("store %s lists %q, want nothing", b, got)
	}
	wantMissing(t, b, "shared/k")
	if err := b.Delete(context.Background(), "shared/k"); err != nil {
		t.Fatalf("Delete in other store: %v", err)
	}
	put(t, b, "shared/k", []byte("from b"))
	if got := string(get(t, a, "shared/k")); got != "from a" {
		t.Fatalf("store %s reads %q, want %q", a, got, "from a")
	}
}

func testDelete(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := context.Background()
	put(t, s, "d/k", []byte("x"))
	put(t, s, "d/keep", []byte("y"))
	tests := []struct {
		name string
		key  string
	}{
		{"existing", "d/k"},
		{"again", "d/k"},
		{"never written", "d/none"},
		{"missing dir", "nodir/none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Delete(ctx, tc.key); err != nil {
				t.Fatalf("Delete(%q): %v", tc.key, err)
			}
			wantMissing(t, s, tc.key)
		})
	}
	if got := keys(list(t, s, "")); !slices.Equal(got, []string{"d/keep"}) {
		t.Fatalf("List after deletes = %q, want [d/keep]", got)
	}
}

func testReaderMissing(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	put(t, s, "a/b", []byte("x"))
	for _, key := range []string{"missing", "a/missing", "x/y/z", "a"} {
		wantMissing(t, s, key)
	}
}

func testAbort(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	w, err := s.NewWriter(context.Background(), "ab/k")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write(randomBytes(t, 6<<20)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	w.Abort()
	w.Abort()
	if _, err := w.Write([]byte("late")); err == nil {
		t.Fatalf("Write after Abort: nil error, want one")
	}
	if err := w.Commit(); err == nil {
		t.Fatalf("Commit after Abort: nil error, want one")
	}
	wantMissing(t, s, "ab/k")
	if got := keys(list(t, s, "")); len(got) != 0 {
		t.Fatalf("List after Abort = %q, want nothing", got)
	}
}

func testAbortAfterCommit(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	w, err := s.NewWriter(context.Background(), "k.json")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write([]byte("{}")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := w.Commit(); err == nil {
		t.Fatalf("second Commit: nil error, want one")
	}
	w.Abort()
	w.Abort()
	if got := string(get(t, s, "k.json")); got != "{}" {
		t.Fatalf("read %q after Abort following Commit, want %q", got, "{}")
	}
}

func testNotVisibleBeforeCommit(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	put(t, s, "v/old", []byte("old"))
	for _, key := range []string{"v/new", "v/old"} {
		w, err := s.NewWriter(context.Background(), key)
		if err != nil {
			t.Fatalf("NewWriter(%q): %v", key, err)
		}
		if _, err := w.Write([]byte("new")); err != nil {
			t.Fatalf("Write(%q): %v", key, err)
		}
		if key == "v/new" {
			wantMissing(t, s, key)
		} else if got := string(get(t, s, key)); got != "old" {
			t.Fatalf("read %q before Commit = %q, want %q", key, got, "old")
		}
		if err := w.Commit(); err != nil {
			t.Fatalf("Commit(%q): %v", key, err)
		}
		if got := string(get(t, s, key)); got != "new" {
			t.Fatalf("read %q after Commit = %q, want %q", key, got, "new")
		}
	}
}

func testCancelledContext(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.NewWriter(ctx, "cancel/k")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	cancel()
	if err := w.Commit(); err == nil {
		t.Fatalf("Commit after cancel: nil error, want one")
	}
	w.Abort()
	wantMissing(t, s, "cancel/k")
}

func testInvalidKeys(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "../up", "a/../../up", "a/./b", "a//b", "a/", "bad\x00nul"} {
		t.Run(key, func(t *testing.T) {
			if w, err := s.NewWriter(ctx, key); err == nil {
				w.Abort()
				t.Fatalf("NewWriter(%q): nil error, want one", key)
			}
			if r, err := s.NewReader(ctx, key); err == nil || errors.Is(err, ErrNotFound) {
				if r != nil {
					r.Close()
				}
				t.Fatalf("NewReader(%q) = %v, want an invalid key error", key, err)
			}
			if err := s.Delete(ctx, key); err == nil {
				t.Fatalf("Delete(%q): nil error, want one", key)
			}
		})
	}
	for _, prefix := range []string{"/abs", "../", "a/../b"} {
		if _, err := s.List(ctx, prefix); err == nil {
			t.Fatalf("List(%q): nil error, want one", prefix)
		}
	}
}
