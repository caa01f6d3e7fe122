package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestObjectRetentionGCS: against fake-gcs-server, a locked write carries the object retention asked
// for (mode Unlocked for governance, until MinRetention from now), an unlocked one none, and the
// retention extends. fake-gcs-server does not refuse deletes of retained objects nor report a
// bucket's retention mode, so CheckLock says the bucket is not enabled: what can be tested here.
func TestObjectRetentionGCS(t *testing.T) {
	g := storagetest.StartFakeGCS(t)
	g.Env(t)
	ctx := context.Background()
	s, err := Open(ctx, g.URL(g.NewBucket(t), "p"), Options{Lock: &Lock{Mode: LockGovernance, MinRetention: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(key string, locked bool) {
		t.Helper()
		w, err := s.NewWriter(ctx, key, WriteOptions{Lock: locked, IfNotExist: true})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("backup " + key))
		if err := w.Commit(); err != nil {
			t.Fatalf("commit %s: %v", key, err)
		}
	}
	before := time.Now()
	put("locked", true)
	put("free", false)
	until, err := RetainedUntil(ctx, s, "locked")
	if err != nil || until.Before(before.Add(time.Hour-time.Minute)) || until.After(time.Now().Add(time.Hour+time.Minute)) {
		t.Fatalf("retained until %s (%v), want about an hour from now", until, err)
	}
	if until, err := RetainedUntil(ctx, s, "free"); err != nil || !until.IsZero() {
		t.Fatalf("an unlocked write is retained until %s (%v)", until, err)
	}
	if until, err := RetainedUntil(ctx, s, "gone"); err != nil || !until.IsZero() {
		t.Fatalf("a missing key is retained until %s (%v); want nothing retained", until, err)
	}
	if err := KeepLocked(ctx, s, "gone"); err != nil {
		t.Fatalf("KeepLocked of a missing key: %v", err)
	}
	later := until.Add(24 * time.Hour)
	if err := Retain(ctx, s, "locked", later); err != nil {
		t.Fatal(err)
	}
	if got, _ := RetainedUntil(ctx, s, "locked"); got.Sub(later).Abs() > time.Second {
		t.Fatalf("retention after extension %s, want %s", got, later)
	}
	if err := CheckLock(ctx, s); err == nil || !strings.Contains(err.Error(), "object retention") {
		t.Fatalf("CheckLock on the emulator's bucket: %v", err)
	}
	for _, u := range []string{"azblob://c/p", "file://" + t.TempDir()} {
		if _, err := Open(ctx, u, Options{Lock: &Lock{Mode: LockGovernance, MinRetention: time.Hour}}); err == nil ||
			!strings.Contains(err.Error(), "s3:// and gs://") {
			t.Fatalf("a lock on %s: %v", u, err)
		}
	}
}
