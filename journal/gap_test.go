package journal

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// recordRun records n puts from st with a fresh Recorder at j and returns the last revision.
func recordRun(t *testing.T, cli *clientv3.Client, j *Journal, enc Encoding, st Start, prefix string, n int) int64 {
	t.Helper()
	obs := &syncObserver{}
	r, err := NewRecorder(cli, []*Journal{j}, Options{Cluster: "test", Encoding: enc, MaxAge: 30 * time.Millisecond,
		MaxBytes: 2 << 10, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	run := startRun(r, st)
	last := putKeys(t, cli, prefix, n, strings.Repeat("v", 100))
	obs.waitCommitted(t, last, 30*time.Second)
	if err := run.stop(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return last
}

// manifestsOf reads every manifest of j, in listing order.
func manifestsOf(t *testing.T, j *Journal) []*Manifest {
	t.Helper()
	ctx := context.Background()
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ms []*Manifest
	for _, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

// TestRecorderGap records, stops, lets etcd compact past where the journal ends, and records
// again: Run returns a *GapError at once, from the continuing start and from the original one,
// and the segments committed before are untouched.
func TestRecorderGap(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	ctx := context.Background()
	recipients, id := keys(t)
	j, _ := dirJournal(t, "test")
	first := currentRev(t, cli) + 1
	st0 := Start{Next: first, Base: "b"}
	last := recordRun(t, cli, j, zstdEncoding(recipients), st0, "a", 50)
	before, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	revsBefore := readAll(t, j, id)
	checkSequence(t, revsBefore, first, last)

	newest, err := Newest(ctx, []*Journal{j})
	if err != nil || newest == nil {
		t.Fatalf("newest %v, %v", newest, err)
	}
	st1, ok := StartAfter(newest, nil)
	if !ok || st1.Next != last+1 || st1.Previous != newest.Name {
		t.Fatalf("start %+v, %v; want after %s", st1, ok, newest.Name)
	}
	compacted := putKeys(t, cli, "b", 20, "w")
	if _, err := cli.Compact(ctx, compacted); err != nil {
		t.Fatal(err)
	}

	for _, st := range []Start{st1, st0} {
		r, err := NewRecorder(cli, []*Journal{j}, Options{Cluster: "test", Encoding: zstdEncoding(recipients),
			MaxAge: 30 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		start := time.Now()
		err = r.Run(rctx, st)
		took := time.Since(start)
		cancel()
		var gap *GapError
		if !errors.As(err, &gap) {
			t.Fatalf("from %d: Run returned %v after %s, want a *GapError", st.Next, err, took)
		}
		if gap.Next != st.Next || gap.Compacted != compacted {
			t.Fatalf("gap %+v, want revision %d compacted up to %d", gap, st.Next, compacted)
		}
		if took > 5*time.Second {
			t.Fatalf("from %d: the gap took %s to report", st.Next, took)
		}
		if r.Lag() != 0 {
			t.Fatalf("lag %s after a gap with nothing recorded", r.Lag())
		}
	}
	after, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameObjects(before, after) {
		t.Fatalf("the journal changed: %+v before, %+v after", before, after)
	}
	revsAfter := readAll(t, j, id)
	if len(revsAfter) != len(revsBefore) {
		t.Fatalf("%d revisions after the gap, %d before", len(revsAfter), len(revsBefore))
	}
	for i := range revsBefore {
		sameRevision(t, revsAfter[i], revsBefore[i])
	}
}

// sameObjects says whether two listings hold the same objects with the same sizes.
func sameObjects(a, b *Listing) bool {
	keys := func(l *Listing) map[string]int64 {
		out := map[string]int64{}
		for _, s := range l.Segments {
			for _, o := range s.Objects {
				out[o.Key] = o.Size
			}
		}
		for _, o := range l.Orphans {
			out["orphan "+o.Key] = o.Size
		}
		return out
	}
	return reflect.DeepEqual(keys(a), keys(b))
}

// TestRecorderResumes stops, lets writes happen, and records again from StartAfter(Newest): the
// revisions written while stopped are recorded, the chain links each segment to the one before it
// and the first to its base.
func TestRecorderResumes(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	ctx := context.Background()
	j, _ := dirJournal(t, "test")
	first := currentRev(t, cli) + 1
	recordRun(t, cli, j, plainEncoding, Start{Next: first, Base: "20250101T000000Z-r000000000001"}, "a", 40)
	putKeys(t, cli, "stopped", 15, "while stopped")
	newest, err := Newest(ctx, []*Journal{j})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := StartAfter(newest, nil)
	last := recordRun(t, cli, j, plainEncoding, st, "c", 40)
	checkSequence(t, readAll(t, j, nil), first, last)
	ms := manifestsOf(t, j)
	for i, m := range ms {
		switch {
		case i == 0 && (m.Base != "20250101T000000Z-r000000000001" || m.Previous != ""):
			t.Fatalf("first segment %s: base %q, previous %q", m.Name, m.Base, m.Previous)
		case i > 0 && (m.Previous != ms[i-1].Name || m.Base != ""):
			t.Fatalf("segment %s: previous %q, base %q; want previous %s", m.Name, m.Previous, m.Base, ms[i-1].Name)
		case i > 0 && m.FirstRevision != ms[i-1].LastRevision+1:
			t.Fatalf("segment %s does not continue %s", m.Name, ms[i-1].Name)
		case m.Writer == "" || m.ToolVersion == "" || m.CreatedAt.IsZero() || m.FirstTime.After(m.LastTime):
			t.Fatalf("segment %s: manifest %+v", m.Name, m)
		}
	}
}
