package prune

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/retention"
)

// segment writes a synthetic committed segment holding revisions first to last: data, then manifest.
func (f *fixture) segment(first, last int64) journal.Segment {
	f.t.Helper()
	l := journal.Layout{Cluster: cluster}
	name := journal.Name(first, last)
	f.put(l.DataKey(name, "0a0b0c", catalog.CompressionZstd, true), []byte("data"))
	f.put(l.ManifestKey(name), []byte("{}"))
	return journal.Segment{Name: name, First: first, Last: last}
}

// TestPruneJournalFollowsTheOldestKeptBackup: segments that hold only revisions older than the
// oldest kept backup go (manifest and data), the others stay; a dry run lists without deleting;
// journal data without a manifest older than the grace period is swept as an orphan.
func TestPruneJournalFollowsTheOldestKeptBackup(t *testing.T) {
	f := newFixture(t)
	var revs []int64
	for _, at := range hours(10) {
		id := f.backup(at)
		_, rev, _ := catalog.ParseID(id)
		revs = append(revs, rev)
	}
	for i := 0; i+1 < len(revs); i++ {
		f.segment(revs[i]+1, revs[i+1])
	}
	f.segment(revs[9]+1, revs[9]+50)
	l := journal.Layout{Cluster: cluster}
	orphan := l.DataKey(journal.Name(revs[9]+51, revs[9]+60), "0d0e0f", catalog.CompressionZstd, true)
	f.put(orphan, []byte("cut short"))
	f.age(orphan, now.Add(-48*time.Hour))

	dry := opts(retention.Policy{KeepLast: 3})
	dry.DryRun = true
	r, err := Run(context.Background(), f.cat, dry)
	if err != nil {
		t.Fatal(err)
	}
	if got := sweptOf(r, KindSegment); len(got) != 7*2 || got[0].Deleted {
		t.Fatalf("dry run: %d segment objects listed (deleted %v), want 14 listed, none deleted", len(got), got)
	}
	if n := len(listSegments(t, f)); n != 10 {
		t.Fatalf("dry run left %d segments, want 10", n)
	}

	r, err = Run(context.Background(), f.cat, opts(retention.Policy{KeepLast: 3}))
	if err != nil {
		t.Fatal(err)
	}
	segs := listSegments(t, f)
	if len(segs) != 3 || segs[0].First != revs[7]+1 {
		t.Fatalf("kept %+v, want the 3 segments after the oldest kept backup (revision %d)", segs, revs[7])
	}
	if got := sweptOf(r, KindOrphan); len(got) != 1 || got[0].Key != orphan || !got[0].Deleted {
		t.Fatalf("orphans swept %+v, want %s", got, orphan)
	}
}

func sweptOf(r *Report, kind string) []Swept {
	var out []Swept
	for _, s := range r.Swept {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func listSegments(t *testing.T, f *fixture) []journal.Segment {
	t.Helper()
	l, err := journal.New(f.store, cluster).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l.Segments
}
