package prune

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
)

// generate commits n backups 15 minutes apart (a manifest and a small data object each, through
// the file store) and a passed drill on every 500th.
func generate(b *testing.B, f *fixture, n int) {
	b.Helper()
	start := now.Add(-time.Duration(n) * 15 * time.Minute)
	err := catalog.Each(context.Background(), n, 8, func(i int) error {
		at := start.Add(time.Duration(i) * 15 * time.Minute)
		id := catalog.NewID(at, int64(i+1))
		w, err := f.store.NewWriter(context.Background(), f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP))
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte("data")); err != nil {
			return err
		}
		if err := w.Commit(); err != nil {
			return err
		}
		m := &catalog.Manifest{Format: catalog.Format, ID: id, ClusterName: cluster, CreatedAt: at,
			Object: catalog.ObjectInfo{Key: f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP), Size: 4}}
		if err := f.cat.Commit(context.Background(), m); err != nil {
			return err
		}
		if i%500 != 0 {
			return nil
		}
		return f.cat.RecordDrill(context.Background(), &catalog.Drill{BackupID: id, Mode: catalog.ModeQuick,
			StartedAt: at.Add(time.Minute), OK: true})
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPlan10k plans a prune of 10,000 backups in a file store under the default policy:
// one listing, the drill records read, retention applied, nothing deleted.
func BenchmarkPlan10k(b *testing.B) {
	f := newFixture(b)
	generate(b, f, 10000)
	o := opts(retention.DefaultPolicy())
	o.DryRun = true
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(context.Background(), f.cat, o)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Backups) != 10000 {
			b.Fatalf("planned %d backups", len(r.Backups))
		}
	}
}

// BenchmarkPrune10k prunes 10,000 backups in a file store under the default policy, deleting
// all but about a thousand.
func BenchmarkPrune10k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		generate(b, f, 10000)
		b.StartTimer()
		r, err := Run(context.Background(), f.cat, opts(retention.DefaultPolicy()))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Deleted), "deleted/op")
	}
}
