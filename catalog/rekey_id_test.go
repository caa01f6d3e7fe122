package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestRekeyID(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 2, 3, 0, time.UTC)
	for _, old := range []string{NewID(at, 42), NewUniqueID(at, 42)} {
		id, err := RekeyID(old)
		if err != nil {
			t.Fatal(err)
		}
		gt, rev, err := ParseID(id)
		if err != nil || !gt.Equal(at) || rev != 42 || id == old || !strings.HasPrefix(id, NewID(at, 42)+"-") {
			t.Fatalf("RekeyID(%s) = %s (%v %d %v), want the same time and revision, a new suffix", old, id, gt, rev, err)
		}
	}
	if _, err := RekeyID("latest"); err == nil {
		t.Fatal("RekeyID(latest): no error")
	}
}

func TestRekeyEntryOf(t *testing.T) {
	ctx := context.Background()
	s, err := storage.Open(ctx, "file://"+filepath.Join(t.TempDir(), "store"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(s, "c")
	id := NewUniqueID(time.Now(), 7)
	for _, key := range []string{c.Layout.DataKey(id, SuffixZstdPGP), c.Layout.ManifestKey(id), c.Layout.SnapshotsPrefix() + id + ".stray"} {
		if err := c.write(ctx, key, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	e, err := c.EntryOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range e.Objects {
		keys = append(keys, o.Key)
	}
	slices.Sort(keys)
	want := []string{c.Layout.DataKey(id, SuffixZstdPGP), c.Layout.ManifestKey(id)}
	if !e.Committed || !slices.Equal(keys, want) {
		t.Fatalf("EntryOf = %+v, want committed with %v", e, want)
	}
	if _, err := c.EntryOf(ctx, NewUniqueID(time.Now(), 8)); !errors.Is(err, ErrNoBackup) {
		t.Fatalf("EntryOf of an unknown ID: %v, want ErrNoBackup", err)
	}
}
