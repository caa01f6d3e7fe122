package journal

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestSummarize summarizes a journal of two runs against backups before each and one whose ID
// does not parse: windows from the oldest base of each run, to the run's last revision and the time
// it was received; the gap; the newest revision; the segments' count and size.
func TestSummarize(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	j, _ := dirJournal(t, "test")
	commitRevisions(t, j, plainEncoding, seqRevisions(11, 20, t0, time.Second))
	m2 := commitRevisions(t, j, plainEncoding, seqRevisions(21, 30, t0.Add(10*time.Second), time.Second))
	commitRevisions(t, j, plainEncoding, seqRevisions(41, 45, t0.Add(time.Hour), time.Second))
	m4 := commitRevisions(t, j, plainEncoding, seqRevisions(46, 50, t0.Add(time.Hour+5*time.Second), time.Second))
	backup := func(rev, snap int64, at time.Time) *catalog.Manifest {
		return &catalog.Manifest{ID: catalog.NewID(at, rev), CreatedAt: at, Snapshot: catalog.SnapshotInfo{Revision: snap}}
	}
	b10 := backup(10, 10, t0.Add(-time.Minute))
	b40 := backup(40, 40, t0.Add(50*time.Minute))
	ms := []*catalog.Manifest{backup(15, 15, t0.Add(5*time.Second)), b10, b40, {ID: "not-an-id"}}
	if got := len(BasesOf(ms)); got != 3 {
		t.Fatalf("%d bases, want 3 (one ID does not parse)", got)
	}
	s, err := j.Summarize(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, seg := range l.Segments {
		size += seg.Size()
	}
	want := &Summary{Segments: 4, Bytes: size,
		Windows: []WindowInfo{
			{Base: b10.ID, FromRevision: 10, FromTime: b10.CreatedAt, ToRevision: 30, ToTime: m2.LastTime},
			{Base: b40.ID, FromRevision: 40, FromTime: b40.CreatedAt, ToRevision: 50, ToTime: m4.LastTime},
		},
		Gaps:           []Gap{{From: 31, To: 40}},
		NewestRevision: 50, NewestTime: m4.LastTime}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("summary %+v\nwant %+v", s, want)
	}

	if err := j.Store.Delete(ctx, j.Layout.ManifestKey(m4.Name)); err != nil {
		t.Fatal(err)
	}
	if err := j.Store.Delete(ctx, j.Layout.ManifestKey(m2.Name)); err != nil {
		t.Fatal(err)
	}
	writeManifestFileAt(t, j, m2.Name, []byte(`{"format": 1}`))
	if _, err := j.Summarize(ctx, ms); err == nil || !strings.Contains(err.Error(), "segment "+m2.Name) {
		t.Fatalf("error %v; want one naming the segment whose manifest is damaged, %s", err, m2.Name)
	}
}

// writeManifestFileAt writes data as the manifest of name through the store.
func writeManifestFileAt(t *testing.T, j *Journal, name string, data []byte) {
	t.Helper()
	if err := j.write(context.Background(), j.Layout.ManifestKey(name), data); err != nil {
		t.Fatal(err)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	j, _ := dirJournal(t, "test")
	s, err := j.Summarize(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Segments != 0 || s.NewestRevision != 0 || s.Windows == nil || s.Gaps == nil || len(s.Windows)+len(s.Gaps) != 0 {
		t.Fatalf("summary of an empty journal %+v; want zeros and empty (not null) lists", s)
	}
}
