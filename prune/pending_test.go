package prune

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
)

// TestSweepPendingFileStore checks that temp files of unfinished writes are swept once older
// than the grace period, and only those of our keys.
func TestSweepPendingFileStore(t *testing.T) {
	f := newFixture(t)
	if _, ok := f.store.(PendingStore); !ok {
		t.Fatalf("the file store does not implement prune.PendingStore (storage/file_pending.go)")
	}
	for _, at := range hours(2) {
		f.backup(at)
	}
	old, young := now.Add(-25*time.Hour), now.Add(-time.Hour)
	id := catalog.NewID(old, 9)
	files := []struct {
		key   string
		mtime time.Time
		swept bool
	}{
		{f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP) + ".tmp-123", old, true},
		{f.cat.Layout.ManifestKey(id) + ".tmp-456", old, true},
		{f.cat.Layout.DataKey(catalog.NewID(young, 9), catalog.SuffixZstdPGP) + ".tmp-789", young, false},
		{cluster + "/snapshots/not-an-id.db.tmp-1", old, false},
		{"other/file.tmp-2", old, false},
	}
	for _, fl := range files {
		p := filepath.Join(f.dir, filepath.FromSlash(fl.key))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		f.age(fl.key, fl.mtime)
	}
	for _, dry := range []bool{true, false} {
		o := opts(retention.Policy{KeepLast: 5})
		o.DryRun = dry
		r, err := Run(context.Background(), f.cat, o)
		if err != nil {
			t.Fatalf("Run (dry run %v): %v", dry, err)
		}
		if len(r.Swept) != 2 {
			t.Fatalf("dry run %v: swept %+v, want the 2 old temp files of our keys", dry, r.Swept)
		}
		tree := f.tree()
		for _, fl := range files {
			if _, ok := tree[fl.key]; ok == (fl.swept && !dry) {
				t.Fatalf("dry run %v: %s exists=%v", dry, fl.key, ok)
			}
		}
	}
}
