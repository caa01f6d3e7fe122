package journal

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestOrphanDataDoesNotBlockTheSegment: a crash between a segment's data and its manifest leaves
// data under the segment's name; the next write of the same revisions commits anyway (its data has
// a key of its own), reads back, and the orphan goes with the segment when it is deleted.
func TestOrphanDataDoesNotBlockTheSegment(t *testing.T) {
	j, dir := dirJournal(t, "test")
	enc := Encoding{Compression: catalog.CompressionZstd}
	revs := seqRevisions(2, 40, time.Unix(1_700_000_000, 0), time.Millisecond)
	name := Name(2, 40)
	for _, key := range []string{j.Layout.DataKey(name, "", enc.Compression, false),
		j.Layout.DataKey(name, "abcdef", enc.Compression, false)} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, key)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, key), []byte("cut short"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := commitRevisions(t, j, enc, revs)
	var n int
	if err := j.Read(context.Background(), m, nil, func(*Revision) error { n++; return nil }); err != nil || n != len(revs) {
		t.Fatalf("read %d revisions, %v; want %d", n, err, len(revs))
	}
	l, err := j.List(context.Background())
	if err != nil || len(l.Segments) != 1 || len(l.Segments[0].Objects) != 4 {
		t.Fatalf("listing %+v, %v: want one segment with its manifest, its data and two orphans", l, err)
	}
	if err := j.Delete(context.Background(), l.Segments[0]); err != nil {
		t.Fatal(err)
	}
	if l, err := j.List(context.Background()); err != nil || len(l.Segments)+len(l.Orphans) != 0 {
		t.Fatalf("after Delete: %+v, %v", l, err)
	}
}
