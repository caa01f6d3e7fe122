package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// TestJournalS3FanOut journals to MinIO and a file destination at once: both hold the same
// segments (same names, same manifests, data matching them), and restore --to-revision N from
// each destination gives the keyspace etcd served at N.
func TestJournalS3FanOut(t *testing.T) {
	longJournalTest(t, "MinIO, a daemon and two restores")
	e := newEnv(t, 50)
	e.withJournal("300ms")
	mi := storagetest.StartMinIO(t, nil)
	mi.Env(t) // the daemon process inherits the credentials
	fileURL := "file://" + filepath.Join(e.dir, "store")
	s3URL := mi.URL(mi.NewBucket(t), "etcd/prod")
	e.set("destinations", []any{map[string]any{"url": fileURL}, map[string]any{"url": s3URL}})
	c := e.etcd.Client(t)
	e.runOnce()
	d := e.startDaemonProc()
	waitMetric(t, d.metrics, `etcd_backupd_journal_recording{cluster="test-cluster"}`, 1)
	var revs []int64
	for round := range 3 {
		revs = append(revs, mixedWorkload(t, c, round)...)
		time.Sleep(400 * time.Millisecond) // a segment per round at least
	}
	last := revs[len(revs)-1]
	e.waitJournaled(last, 30*time.Second, d)
	target := revs[len(revs)/2]
	want := keyspaceAt(t, c, target)
	d.stop(t)

	fj, sj := openJournalAt(t, fileURL, "test-cluster"), openJournalAt(t, s3URL, "test-cluster")
	checkSameJournal(t, fj, sj, last)
	for _, from := range []string{fileURL, s3URL} {
		m := e.restoreServe("--to-revision", fmt.Sprint(target), "--from", from)
		assertKeyspace(t, target, want, keyspaceAt(t, m.Client(t), 0))
		m.Stop()
	}
}

// checkSameJournal checks that a and b hold the same segments, reaching last in one run, with
// identical manifests and data that matches them at each.
func checkSameJournal(t *testing.T, a, b *journal.Journal, last int64) {
	t.Helper()
	ctx := context.Background()
	as, bs := segmentsOf(t, a), segmentsOf(t, b)
	if len(as) < 3 || len(as) != len(bs) {
		t.Fatalf("%s holds %d segments, %s holds %d; want the same, 3 at least", a.Store, len(as), b.Store, len(bs))
	}
	if runs := journal.Runs(as); len(runs) != 1 || runs[0].Last != last {
		t.Fatalf("journal runs%s at %s; want one up to %d", runsString(runs), a.Store, last)
	}
	am, bm := manifestsOf(t, a, as), manifestsOf(t, b, bs)
	for i := range am {
		x, y := am[i], bm[i]
		if x.Name != y.Name || x.Object.SHA256 != y.Object.SHA256 || x.Plain.SHA256 != y.Plain.SHA256 {
			t.Fatalf("segment %d: %s (sha256 %s) at %s, %s (sha256 %s) at %s", i, x.Name, x.Object.SHA256, a.Store,
				y.Name, y.Object.SHA256, b.Store)
		}
		xj, err := x.Encode()
		if err != nil {
			t.Fatal(err)
		}
		yj, err := y.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(xj, yj) {
			t.Fatalf("segment %s: the manifests differ\n%s\n%s", x.Name, xj, yj)
		}
		for _, j := range []*journal.Journal{a, b} {
			if _, err := j.Stored(ctx, x); err != nil {
				t.Fatalf("segment %s: %v", x.Name, err)
			}
		}
	}
	t.Logf("%d segments, identical at both destinations, up to revision %d", len(am), last)
}
