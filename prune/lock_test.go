package prune

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestLockedOrphansAreLeft: data without a manifest that the object lock retains (a backup or a
// segment cut short) is reported "locked until" and left, not hidden behind a delete marker; an
// unlocked orphan beside it goes.
func TestLockedOrphansAreLeft(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	ctx := context.Background()
	s, err := storage.Open(ctx, m.URL(m.NewLockedBucket(t), "p"),
		storage.Options{Lock: &storage.Lock{Mode: storage.LockGovernance, MinRetention: 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cat := catalog.New(s, cluster)
	put := func(key string, locked bool) {
		t.Helper()
		w, err := s.NewWriter(ctx, key, storage.WriteOptions{Lock: locked})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("cut short"))
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Add(-time.Hour)
	lockedData := cat.Layout.DataKey(catalog.NewID(at, 10), catalog.SuffixZstdPGP)
	freeData := cat.Layout.DataKey(catalog.NewID(at, 11), catalog.SuffixZstdPGP)
	lockedSeg := journal.Layout{Cluster: cluster}.DataKey(journal.Name(1, 5), "0a0b0c", catalog.CompressionZstd, true)
	put(lockedData, true)
	put(freeData, false)
	put(lockedSeg, true)
	o := Options{Policy: retention.Policy{KeepLast: 1}, Grace: time.Minute,
		Now: func() time.Time { return time.Now().Add(2 * time.Hour) }} // past the grace period
	r, err := Run(ctx, cat, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Swept{}
	for _, sw := range r.Swept {
		got[sw.Key] = sw
	}
	for _, k := range []string{lockedData, lockedSeg} {
		if sw, ok := got[k]; !ok || sw.Deleted || sw.LockedUntil == nil {
			t.Fatalf("locked orphan %s: %+v; want reported locked and left", k, sw)
		}
	}
	if sw := got[freeData]; !sw.Deleted {
		t.Fatalf("unlocked orphan %s: %+v; want deleted", freeData, sw)
	}
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 2 {
		t.Fatalf("left %+v (%v); want the two locked orphans", objs, err)
	}
}
