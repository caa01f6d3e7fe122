package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// TestJournalGapAfterCompaction stops the daemon, writes on, compacts etcd past what the journal
// holds and starts the daemon again: it counts a gap, takes a full backup at once and starts a new
// chain from it. A revision inside the gap is refused with the nearest restorable points; the end
// of the old chain, the new base and a revision of the new chain restore exactly.
func TestJournalGapAfterCompaction(t *testing.T) {
	longJournalTest(t, "restarts the daemon across a compaction and restores four times")
	ctx := context.Background()
	e := newEnv(t, 20)
	e.withJournal("200ms")
	c := e.etcd.Client(t)
	first := e.runOnce()
	d := e.startDaemonProc()
	revs := mixedWorkload(t, c, 0)
	oldEnd := revs[len(revs)-1]
	e.waitJournaled(oldEnd, 30*time.Second, d)
	wantOldEnd := keyspaceAt(t, c, oldEnd)
	d.stop(t)
	if got := e.journaledUpTo(); got != oldEnd {
		t.Fatalf("after SIGTERM the journal ends at %d, want %d (nothing else was written)", got, oldEnd)
	}

	// Written while no daemon records, then compacted away: the chain cannot go on.
	var compactAt int64
	for i := range 20 {
		r, err := c.Put(ctx, fmt.Sprintf("/registry/gap/k%02d", i), fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		compactAt = r.Header.Revision
	}
	if _, err := c.Compact(ctx, compactAt, clientv3.WithCompactPhysical()); err != nil {
		t.Fatalf("compact at %d: %v", compactAt, err)
	}

	d = e.startDaemonProc()
	gaps := `etcd_backupd_journal_gaps_total{cluster="test-cluster"}`
	waitMetric(t, d.metrics, gaps, 1)
	if !waitFor(30*time.Second, func() bool { return len(e.listBackups()) == 2 }) {
		t.Fatalf("backups %v after the gap, want the first and a new one\n%s", e.listBackups(), daemonLog(d.log))
	}
	second := e.listBackups()[0]
	if second.ID == first.ID || second.Snapshot.Revision < compactAt {
		t.Fatalf("new backup %s at revision %d, want one after the compaction at %d", second.ID,
			second.Snapshot.Revision, compactAt)
	}
	revs = mixedWorkload(t, c, 1)
	newEnd := revs[len(revs)-1]
	e.waitJournaled(newEnd, 30*time.Second, d)
	mid := revs[len(revs)/2]
	wantMid, wantBase := keyspaceAt(t, c, mid), keyspaceAt(t, c, second.Snapshot.Revision)
	if got := metric(t, d.metrics, gaps); got != 1 {
		t.Fatalf("%s = %v, want 1: one chain broke once", gaps, got)
	}
	d.stop(t)

	e.checkChains(first, second, oldEnd, newEnd)
	target := (oldEnd + second.Snapshot.Revision) / 2
	dir := filepath.Join(t.TempDir(), "data")
	_, stderr, code := e.run("restore", "--data-dir", dir, "--no-bump-revision", "--to-revision", fmt.Sprint(target))
	want := fmt.Sprintf("nearest restorable points are revision %d and revision %d", oldEnd, second.Snapshot.Revision)
	if code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("restore --to-revision %d inside the gap: exit %d, stderr %q; want exit 1 and %q", target, code,
			stderr, want)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("a refused restore left %v in %s", got, dir)
	}
	t.Logf("gap %d-%d refused: %s", oldEnd+1, second.Snapshot.Revision-1, strings.TrimSpace(stderr))

	// Both points the error names restore, and so does a revision of the new chain.
	m := e.restoreServe("--to-revision", fmt.Sprint(oldEnd))
	assertKeyspace(t, oldEnd, wantOldEnd, keyspaceAt(t, m.Client(t), 0))
	m.Stop()
	m = e.restoreServe("--to-revision", fmt.Sprint(second.Snapshot.Revision))
	assertKeyspace(t, second.Snapshot.Revision, wantBase, keyspaceAt(t, m.Client(t), 0))
	m.Stop()
	m = e.restoreServe("--to-revision", fmt.Sprint(mid))
	assertKeyspace(t, mid, wantMid, keyspaceAt(t, m.Client(t), 0))
}

// listBackups are the committed backups at the file destination, newest first.
func (e *env) listBackups() []*catalog.Manifest {
	e.t.Helper()
	out, stderr, code := e.run("list", "-w", "json")
	if code != 0 {
		e.t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		e.t.Fatalf("list output %q: %v", out, err)
	}
	var ms []*catalog.Manifest
	for _, r := range rows {
		if r.Manifest != nil {
			ms = append(ms, r.Manifest)
		}
	}
	return ms
}

// checkChains checks the journal at the file destination: two runs, the old one from first up to
// oldEnd, and a new chain whose first segment starts right after second's revision, names second as
// its base and continues nothing, up to newEnd.
func (e *env) checkChains(first, second *catalog.Manifest, oldEnd, newEnd int64) {
	t := e.t
	t.Helper()
	j := openJournalAt(t, "file://"+filepath.Join(e.dir, "store"), "test-cluster")
	segs := segmentsOf(t, j)
	runs := journal.Runs(segs)
	_, secondRev, err := catalog.ParseID(second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Last != oldEnd || runs[1].First != secondRev+1 || runs[1].Last != newEnd {
		t.Fatalf("journal runs%s; want two: up to %d, then %d-%d", runsString(runs), oldEnd, secondRev+1, newEnd)
	}
	starts := map[string]string{} // base -> the segment that starts a chain from it
	for _, m := range manifestsOf(t, j, segs) {
		if m.Previous == "" {
			starts[m.Base] = m.Name
		}
	}
	newStart := journal.Name(secondRev+1, runs[1].Segments[0].Last)
	if len(starts) != 2 || starts[first.ID] == "" || starts[second.ID] != newStart {
		t.Fatalf("chains start at %v (by base); want one from %s and %s from %s", starts, first.ID, newStart, second.ID)
	}
}
