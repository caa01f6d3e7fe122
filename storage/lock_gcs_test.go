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
	checkRetention(t, s)
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
