package prune

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/spool"
)

// TestRunAllPerDestination checks that each destination is pruned on what it holds, and that
// the spool is swept once.
func TestRunAllPerDestination(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	var idsA, idsB []string
	for _, at := range hours(5) {
		idsA = append(idsA, a.backup(at))
	}
	for _, at := range hours(3) { // b missed the two newest backups
		idsB = append(idsB, b.backup(at.Add(-30*time.Minute)))
	}
	b.drill(idsB[0], base, true)
	dir := filepath.Join(t.TempDir(), "spool")
	sp, _, err := spool.Open(dir) // a spool that a backup used
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if err := os.WriteFile(filepath.Join(dir, "1.db.part"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := opts(retention.Policy{KeepLast: 2})
	o.SpoolDir = dir
	res, err := RunAll(context.Background(), catalog.NewSet([]*catalog.Catalog{a.cat, b.cat}, nil, nil), o)
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if got := a.committed(); !sameIDs(got, idsA[3:]) {
		t.Fatalf("destination a keeps %v, want %v", got, idsA[3:])
	}
	if got := b.committed(); !sameIDs(got, idsB) {
		t.Fatalf("destination b keeps %v, want all of %v", got, idsB)
	}
	if res.Deleted() != 3 || len(res.Destinations) != 2 || res.Destinations[1].Deleted != 0 {
		t.Fatalf("deleted %d in total over %d destinations", res.Deleted(), len(res.Destinations))
	}
	if len(res.Spool) != 1 || !res.Spool[0].Deleted || res.SpoolWarning != "" {
		t.Fatalf("spool: %+v %q", res.Spool, res.SpoolWarning)
	}
}
