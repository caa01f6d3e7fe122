package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// runConformance checks the Store contract. open must return a new, empty
// Store at its own URL path under one shared root on every call, and
// register its clean-up with t.
func runConformance(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"PutGet", testPutGet},
		{"Overwrite", testOverwrite},
		{"List", testList},
		{"PrefixIsolation", testPrefixIsolation},
		{"Delete", testDelete},
		{"ReaderMissing", testReaderMissing},
		{"Abort", testAbort},
		{"AbortAfterCommit", testAbortAfterCommit},
		{"NotVisibleBeforeCommit", testNotVisibleBeforeCommit},
		{"CancelledContext", testCancelledContext},
		{"InvalidKeys", testInvalidKeys},
		{"Large", testLarge},
		{"AbortLarge", testAbortLarge},
		{"CancelLarge", testCancelLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random bytes: %v", err)
	}
	return b
}

// put writes data under key in uneven chunks and commits it.
func put(t *testing.T, s Store, key string, data []byte) {
	t.Helper()
	w, err := s.NewWriter(context.Background(), key)
	if err != nil {
		t.Fatalf("NewWriter(%q): %v", key, err)
	}
	for rest, chunk := data, 1; len(rest) > 0; chunk = chunk*3 + 7 {
		n := min(chunk, len(rest), 1<<20)
		if _, err := w.Write(rest[:n]); err != nil {
			w.Abort()
			t.Fatalf("Write(%q): %v", key, err)
		}
		rest = rest[n:]
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", key, err)
	}
}

func get(t *testing.T, s Store, key string) []byte {
	t.Helper()
	r, err := s.NewReader(context.Background(), key)
	if err != nil {
		t.Fatalf("NewReader(%q): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

func wantMissing(t *testing.T, s Store, key string) {
	t.Helper()
	r, err := s.NewReader(context.Background(), key)
	if err == nil {
		r.Close()
		t.Fatalf("NewReader(%q): object exists, want ErrNotFound", key)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("NewReader(%q): %v, want ErrNotFound", key, err)
	}
	objs := list(t, s, "")
	for _, o := range objs {
		if o.Key == key {
			t.Fatalf("List lists %q, want it missing", key)
		}
	}
}

func list(t *testing.T, s Store, prefix string) []Object {
	t.Helper()
	objs, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return objs
}

func keys(objs []Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func testPutGet(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	tests := []struct {
		name string
		key  string
		data []byte
	}{
		{"empty", "c/empty.db", nil},
		{"small", "c/snapshots/small.json", []byte(`{"format":1}`)},
		{"large", "c/snapshots/large.db.zst.pgp", randomBytes(t, 20<<20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			put(t, s, tc.key, tc.data)
			if got := get(t, s, tc.key); !bytes.Equal(got, tc.data) {
				t.Fatalf("read back %d bytes, want %d equal bytes", len(got), len(tc.data))
			}
		})
	}
}

func testOverwrite(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	put(t, s, "k", []byte("first"))
	put(t, s, "k", []byte("second"))
	if got := string(get(t, s, "k")); got != "second" {
		t.Fatalf("read %q, want %q", got, "second")
	}
}
