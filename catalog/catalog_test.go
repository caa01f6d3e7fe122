package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestIDs(t *testing.T) {
	at := time.Date(2026, 11, 24, 1, 2, 3, 999, time.FixedZone("CET", 3600))
	id := NewID(at, 42)
	if id != "20261124T000203Z-r000000000042" {
		t.Fatalf("NewID = %s", id)
	}
	got, rev, err := ParseID(id)
	if err != nil || !got.Equal(at.Truncate(time.Second)) || rev != 42 {
		t.Fatalf("ParseID = %v %d %v", got, rev, err)
	}
	for _, bad := range []string{"", "latest", "20261124T000203Z-r42", "20261124T000203-r000000000042", "20261324T000203Z-r000000000042"} {
		if ValidID(bad) {
			t.Fatalf("ValidID(%q) = true", bad)
		}
	}
	if NewID(at, 9) > NewID(at.Add(time.Second), 1) {
		t.Fatal("IDs do not sort by time")
	}
}

func TestDataSuffix(t *testing.T) {
	for _, c := range []struct {
		compression string
		encrypted   bool
		want        string
	}{{"zstd", true, ".db.zst.pgp"}, {"none", true, ".db.pgp"}, {"zstd", false, ".db.zst"}, {"none", false, ".db"}} {
		if got := DataSuffix(c.compression, c.encrypted); got != c.want {
			t.Fatalf("DataSuffix(%s, %v) = %s, want %s", c.compression, c.encrypted, got, c.want)
		}
	}
}

// TestCatalog commits, lists, resolves and deletes backups in a real file store, next to objects
// that are not ours.
func TestCatalog(t *testing.T) {
	ctx := context.Background()
	s, err := storage.Open(ctx, "file://"+filepath.Join(t.TempDir(), "store"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(s, "c1")
	put := func(key string) {
		w, err := s.NewWriter(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Resolve(ctx, "latest"); !errors.Is(err, ErrNoBackup) {
		t.Fatalf("Resolve on an empty store: %v", err)
	}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 3; i++ {
		id := NewID(base.Add(time.Duration(i)*time.Hour), int64(10+i))
		ids = append(ids, id)
		put(c.Layout.DataKey(id, SuffixZstdPGP))
		m := &Manifest{Format: Format, ID: id, ClusterName: "c1", Object: ObjectInfo{Key: c.Layout.DataKey(id, SuffixZstdPGP),
			Compression: CompressionZstd, Encryption: EncryptionPGP}}
		if err := c.Commit(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	orphan := NewID(base.Add(5*time.Hour), 99)
	put(c.Layout.DataKey(orphan, SuffixZstdPGP)) // data without a manifest
	put("c1/snapshots/not-an-id.json")
	put("other/c1/snapshots/" + ids[0] + ".json")

	ms, err := c.List(ctx)
	if err != nil || len(ms) != 3 || ms[0].ID != ids[2] || ms[2].ID != ids[0] {
		t.Fatalf("List = %d manifests, %v; want the 3 committed, newest first", len(ms), err)
	}
	latest, err := c.Resolve(ctx, "latest")
	if err != nil || latest.ID != ids[2] {
		t.Fatalf("latest = %v, %v; want %s (the orphan is not a backup)", latest, err, ids[2])
	}
	ix, err := c.Scan(ctx)
	if err != nil || len(ix.Entries) != 4 || ix.Entries[0].ID != orphan || ix.Entries[0].Committed {
		t.Fatalf("Scan = %+v, %v", ix, err)
	}
	if err := c.Delete(ctx, ix.Entries[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, ids[2]); !errors.Is(err, ErrNoBackup) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if objs, _ := s.List(ctx, "c1/snapshots/"+ids[2]); len(objs) != 0 {
		t.Fatalf("objects left after Delete: %v", objs)
	}
	if err := c.Delete(ctx, ix.Entries[1]); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if objs, _ := s.List(ctx, "other/"); len(objs) != 1 {
		t.Fatal("an object outside the cluster folder was touched")
	}
}

func TestDrillRecords(t *testing.T) {
	ctx := context.Background()
	s, err := storage.Open(ctx, "file://"+filepath.Join(t.TempDir(), "store"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(s, "c1")
	id := NewID(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 5)
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for i, ok := range []bool{true, false} {
		d := &Drill{BackupID: id, Mode: ModeDeep, StartedAt: at.Add(time.Duration(i) * time.Hour), OK: ok}
		if err := c.RecordDrill(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	last, err := c.LastDrills(ctx)
	if err != nil || len(last) != 1 || last[id].OK || !last[id].StartedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("LastDrills = %+v, %v; want the newest (failed) record", last[id], err)
	}
	good, err := c.NewestGoodDrill(ctx)
	if err != nil || good == nil || !good.OK || !good.StartedAt.Equal(at) {
		t.Fatalf("NewestGoodDrill = %+v, %v; want the older, successful record", good, err)
	}
	older := NewID(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 3)
	if err := c.RecordDrill(ctx, &Drill{BackupID: older, Mode: ModeDeep, StartedAt: at.Add(2 * time.Hour), OK: true}); err != nil {
		t.Fatal(err)
	}
	if good, err := c.NewestGoodDrill(ctx); err != nil || good == nil || good.BackupID != older {
		t.Fatalf("NewestGoodDrill = %+v, %v; want the newest drill, of an older backup", good, err)
	}
}
