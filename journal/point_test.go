package journal

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// gappedJournal is a journal recorded by two real Recorders, with revisions between them that
// neither recorded: two runs and a gap. Writes are spaced out, so that receive times differ.
type gappedJournal struct {
	j        *Journal
	id       *crypto.Identity
	segs     []Segment
	ms       []*Manifest
	revs     []*Revision
	gap      Gap
	segOfRev map[int64]int // revision -> index of its segment
}

func recordGapped(t *testing.T) *gappedJournal {
	t.Helper()
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	recipients, id := keys(t)
	j, _ := dirJournal(t, "test")
	ctx := context.Background()
	recordSpaced := func(st Start, n int) int64 {
		obs := &syncObserver{}
		r, err := NewRecorder(cli, []*Journal{j}, Options{Cluster: "test", Encoding: zstdEncoding(recipients),
			MaxAge: 30 * time.Millisecond, MaxBytes: 1 << 10, Observer: obs})
		if err != nil {
			t.Fatal(err)
		}
		run := startRun(r, st)
		var last int64
		for i := range n {
			resp, err := cli.Put(ctx, fmt.Sprintf("k%d", i%7), fmt.Sprintf("value %d", i))
			if err != nil {
				t.Fatal(err)
			}
			last = resp.Header.Revision
			time.Sleep(time.Duration(i%4) * time.Millisecond)
		}
		obs.waitCommitted(t, last, 30*time.Second)
		if err := run.stop(t, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		return last
	}
	first := currentRev(t, cli) + 1
	last1 := recordSpaced(Start{Next: first, Base: "b1"}, 60)
	gapLast := putKeys(t, cli, "unrecorded", 5, "x")
	recordSpaced(Start{Next: gapLast + 1, Base: "b2"}, 60)

	g := &gappedJournal{j: j, id: id, gap: Gap{From: last1 + 1, To: gapLast}, segOfRev: map[int64]int{}}
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g.segs = l.Segments
	for i, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		g.ms = append(g.ms, m)
		if err := j.Read(ctx, m, id, func(r *Revision) error {
			g.revs = append(g.revs, r)
			g.segOfRev[r.Rev] = i
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if gaps := Gaps(Runs(g.segs)); len(gaps) != 1 || gaps[0] != g.gap {
		t.Fatalf("gaps %v, want %v", gaps, g.gap)
	}
	if len(g.segs) < 6 {
		t.Fatalf("%d segments; the test wants several in each run", len(g.segs))
	}
	return g
}

// expect is what RevisionAt must answer for t, worked out from every revision read back: the
// last revision received at or before t, unless that revision ends its segment and nothing
// continues it (the journal's end, or a gap) — then the state at t is not known.
func (g *gappedJournal) expect(t time.Time) (rev int64, at time.Time, errPart string) {
	if t.Before(g.revs[0].Time) {
		return 0, time.Time{}, "before the journal's first revision"
	}
	p := 0
	for i, r := range g.revs {
		if !r.Time.After(t) {
			p = i
		}
	}
	r := g.revs[p]
	i := g.segOfRev[r.Rev]
	if r.Rev == g.ms[i].LastRevision {
		switch {
		case i == len(g.segs)-1:
			return 0, time.Time{}, "restore --to-revision latest restores it"
		case g.segs[i+1].First > r.Rev+1:
			return 0, time.Time{}, fmt.Sprintf("falls in a gap of the journal, from revision %d to %d",
				r.Rev+1, g.segs[i+1].First-1)
		}
	}
	return r.Rev, r.Time, ""
}

// TestRevisionAt asks for the revision at every receive time in a recorded journal, a nanosecond
// either side of it and halfway to the next, and compares with the revisions read back.
func TestRevisionAt(t *testing.T) {
	g := recordGapped(t)
	ctx := context.Background()
	var times []time.Time
	for i, r := range g.revs {
		times = append(times, r.Time, r.Time.Add(-time.Nanosecond), r.Time.Add(time.Nanosecond))
		if i+1 < len(g.revs) {
			times = append(times, r.Time.Add(g.revs[i+1].Time.Sub(r.Time)/2))
		}
	}
	times = append(times, g.revs[0].Time.Add(-time.Hour), g.revs[len(g.revs)-1].Time.Add(time.Hour))
	var answered, refused int
	for _, at := range times {
		wantRev, wantAt, wantErr := g.expect(at)
		rev, got, err := g.j.RevisionAt(ctx, g.segs, at, g.id)
		switch {
		case wantErr != "":
			refused++
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("at %s: revision %d, error %v; want an error with %q", stamp(at), rev, err, wantErr)
			}
		case err != nil:
			t.Fatalf("at %s: %v; want revision %d", stamp(at), err, wantRev)
		case rev != wantRev || !got.Equal(wantAt):
			t.Fatalf("at %s: revision %d received %s; want %d received %s", stamp(at), rev, stamp(got), wantRev,
				stamp(wantAt))
		default:
			answered++
		}
	}
	t.Logf("%d revisions in %d segments; %d times answered, %d refused", len(g.revs), len(g.segs), answered, refused)
	if answered < len(g.revs) || refused < 3 {
		t.Fatalf("%d times answered and %d refused: the recording does not exercise both", answered, refused)
	}
}

// TestRevisionAtRefuses checks the errors: each names the time and the revisions around it.
func TestRevisionAtRefuses(t *testing.T) {
	g := recordGapped(t)
	ctx := context.Background()
	before := g.gap.From - 1 // the last revision before the gap
	lastBefore := g.revs[0]
	for _, r := range g.revs {
		if r.Rev == before {
			lastBefore = r
		}
	}
	firstAfter := g.revs[len(g.revs)-1]
	for i := len(g.revs) - 1; i >= 0 && g.revs[i].Rev > before; i-- {
		firstAfter = g.revs[i]
	}
	newest := g.ms[len(g.ms)-1]
	cases := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"before the first revision", g.revs[0].Time.Add(-time.Nanosecond),
			[]string{"is before the journal's first revision " + fmt.Sprint(g.segs[0].First), stamp(g.ms[0].FirstTime)}},
		{"long before", g.revs[0].Time.AddDate(-1, 0, 0), []string{"before the journal's first revision"}},
		{"after the newest revision", newest.LastTime.Add(time.Millisecond),
			[]string{fmt.Sprintf("after the newest journaled revision %d", newest.LastRevision), "--to-revision latest"}},
		{"inside the gap", lastBefore.Time.Add(firstAfter.Time.Sub(lastBefore.Time) / 2),
			[]string{fmt.Sprintf("gap of the journal, from revision %d to %d", g.gap.From, g.gap.To)}},
		{"just after the last revision before the gap", lastBefore.Time.Add(time.Nanosecond),
			[]string{fmt.Sprintf("from revision %d to %d", g.gap.From, g.gap.To)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rev, _, err := g.j.RevisionAt(ctx, g.segs, c.at, g.id)
			if err == nil {
				t.Fatalf("revision %d; want an error", rev)
			}
			for _, w := range append(c.want, stamp(c.at)) {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q lacks %q", err, w)
				}
			}
		})
	}
	t.Run("empty journal", func(t *testing.T) {
		if _, _, err := g.j.RevisionAt(ctx, nil, time.Now(), g.id); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Fatalf("error %v, want the journal is empty", err)
		}
	})
	t.Run("unreadable manifest", func(t *testing.T) {
		mid := g.segs[len(g.segs)/2]
		if err := g.j.Store.Delete(ctx, g.j.Layout.ManifestKey(mid.Name)); err != nil {
			t.Fatal(err)
		}
		_, _, err := g.j.RevisionAt(ctx, g.segs, g.ms[len(g.ms)/2].FirstTime, g.id)
		if err == nil || !strings.Contains(err.Error(), mid.Name) {
			t.Fatalf("error %v; want one naming segment %s", err, mid.Name)
		}
	})
}
