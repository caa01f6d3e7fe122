package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// largeSize is above 100 MB, so that every driver uploads in parts.
const largeSize = 110 << 20

// genReader returns n pseudo-random bytes determined by seed, generated as
// they are read.
func genReader(seed uint64, n int64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

// putStream copies r into key with opts and commits; it returns the sha256
// of what was written.
func putStream(t testing.TB, s Store, key string, r io.Reader, opts ...WriteOptions) [32]byte {
	t.Helper()
	w, err := s.NewWriter(context.Background(), key, opts...)
	if err != nil {
		t.Fatalf("NewWriter(%q): %v", key, err)
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(io.MultiWriter(w, h), r, make([]byte, 1<<20)); err != nil {
		w.Abort()
		t.Fatalf("write %q: %v", key, err)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", key, err)
	}
	return [32]byte(h.Sum(nil))
}

// sumObject reads key and returns its size and sha256.
func sumObject(t testing.TB, s Store, key string) (int64, [32]byte) {
	t.Helper()
	r, err := s.NewReader(context.Background(), key)
	if err != nil {
		t.Fatalf("NewReader(%q): %v", key, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return n, [32]byte(h.Sum(nil))
}

// testLarge puts and gets an object above 100 MB, with a size hint.
func testLarge(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	key := "c/snapshots/large.db.zst.pgp"
	want := putStream(t, s, key, genReader(1, largeSize), WriteOptions{SizeHint: largeSize})
	n, got := sumObject(t, s, key)
	if n != largeSize || got != want {
		t.Fatalf("read back %d bytes with sha256 %x, want %d bytes with %x", n, got, largeSize, want)
	}
	objs := list(t, s, "c/snapshots/")
	if len(objs) != 1 || objs[0].Size != largeSize {
		t.Fatalf("List = %+v, want one object of %d bytes", objs, largeSize)
	}
}

// testAbortLarge aborts an upload large enough to be a multipart upload on
// S3: nothing is committed, and Abort itself leaves no incomplete upload.
func testAbortLarge(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := context.Background()
	w, err := s.NewWriter(ctx, "ab/large")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := io.Copy(w, genReader(2, 40<<20)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	w.Abort()
	if err := w.Commit(); err == nil {
		t.Fatalf("Commit after Abort: nil error, want one")
	}
	wantMissing(t, s, "ab/large")
	if left := pending(t, s); len(left) != 0 {
		t.Fatalf("Abort left unfinished writes: %+v", left)
	}
}

// testCancelLarge cancels the context in the middle of a large upload.
func testCancelLarge(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.NewWriter(ctx, "cancel/large")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := io.Copy(w, genReader(3, 30<<20)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	cancel()
	if _, err := w.Write(make([]byte, 1<<20)); err == nil {
		if err := w.Commit(); err == nil {
			t.Fatalf("Commit after cancel: nil error, want one")
		}
	}
	w.Abort()
	wantMissing(t, s, "cancel/large")
	if n := pendingAfterSweep(t, s); n != 0 {
		t.Fatalf("%d unfinished writes left after a sweep", n)
	}
}

type pendingStore interface {
	ListPending(context.Context, string) ([]Object, error)
	AbortPending(context.Context, string, time.Time) error
}

// pending lists the unfinished writes in s.
func pending(t *testing.T, s Store) []Object {
	t.Helper()
	ps, ok := s.(pendingStore)
	if !ok {
		t.Fatalf("%s has no pending-write hooks", s)
	}
	objs, err := ps.ListPending(context.Background(), "")
	if err != nil {
		t.Fatalf("ListPending: %v", err)
	}
	return objs
}

// pendingAfterSweep aborts every unfinished write in s, as the retention sweeper does, and returns
// how many are still listed afterwards.
func pendingAfterSweep(t *testing.T, s Store) int {
	t.Helper()
	for _, o := range pending(t, s) {
		if err := s.(pendingStore).AbortPending(context.Background(), o.Key, time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("AbortPending %s: %v", o.Key, err)
		}
	}
	return len(pending(t, s))
}
