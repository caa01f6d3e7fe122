package journal

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// seg is a listed segment holding first to last.
func seg(first, last int64) Segment {
	return Segment{Name: Name(first, last), First: first, Last: last}
}

// base is a full backup whose ID revision is rev and whose snapshot holds snap.
func base(rev, snap int64) Base {
	return Base{ID: catalog.NewID(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), rev), Rev: rev, SnapshotRev: snap}
}

// ranges writes runs as "first-last[seg,seg]" for comparison.
func ranges(runs []Run) string {
	var out []string
	for _, r := range runs {
		out = append(out, fmt.Sprintf("%d-%d%v", r.First, r.Last, spans(r.Segments)))
	}
	return strings.Join(out, " ")
}

// spans writes segments as first-last.
func spans(segs []Segment) []string {
	out := []string{}
	for _, s := range segs {
		out = append(out, fmt.Sprintf("%d-%d", s.First, s.Last))
	}
	return out
}

func TestRuns(t *testing.T) {
	cases := []struct {
		name string
		segs []Segment
		want string
	}{
		{"none", nil, ""},
		{"one", []Segment{seg(5, 9)}, "5-9[5-9]"},
		{"continuation", []Segment{seg(1, 10), seg(11, 20), seg(21, 21)}, "1-21[1-10 11-20 21-21]"},
		{"overlap from two writers", []Segment{seg(1, 10), seg(5, 15), seg(16, 20)}, "1-20[1-10 5-15 16-20]"},
		{"contained duplicate", []Segment{seg(1, 10), seg(3, 8), seg(11, 12)}, "1-12[1-10 11-12]"},
		{"same segment twice", []Segment{seg(1, 10), seg(1, 10)}, "1-10[1-10]"},
		{"contained at the end", []Segment{seg(1, 10), seg(10, 10)}, "1-10[1-10]"},
		{"gap of one revision", []Segment{seg(1, 10), seg(12, 20)}, "1-10[1-10] 12-20[12-20]"},
		{"gaps", []Segment{seg(1, 10), seg(20, 30), seg(31, 40), seg(100, 200)},
			"1-10[1-10] 20-40[20-30 31-40] 100-200[100-200]"},
		{"overlap after a gap", []Segment{seg(1, 10), seg(20, 30), seg(25, 35)}, "1-10[1-10] 20-35[20-30 25-35]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ranges(Runs(c.segs)); got != c.want {
				t.Fatalf("runs %q, want %q", got, c.want)
			}
		})
	}
}

// TestRunsLeavesOutContained holds Runs to its comment: "one that another holds entirely is left
// out", including a segment that starts where a longer one starts (two writers that sealed at
// different times). Listings sort such a pair shorter first.
func TestRunsLeavesOutContained(t *testing.T) {
	segs := []Segment{seg(1, 10), seg(1, 15), seg(16, 20)}
	runs := Runs(segs)
	if len(runs) != 1 || runs[0].First != 1 || runs[0].Last != 20 {
		t.Fatalf("runs %s, want one run 1-20", ranges(runs))
	}
	for i, a := range runs[0].Segments {
		for j, b := range runs[0].Segments {
			if i != j && b.First <= a.First && a.Last <= b.Last {
				t.Fatalf("run %s keeps segment %d-%d, which segment %d-%d holds entirely", ranges(runs),
					a.First, a.Last, b.First, b.Last)
			}
		}
	}
}

// TestRunsInvariants checks, over many listings, that runs cover exactly what the segments
// cover, are separated by gaps, and that each segment of a run continues the one before.
func TestRunsInvariants(t *testing.T) {
	for n := range 2000 {
		segs := pseudoSegments(uint64(n))
		runs := Runs(segs)
		covered := map[int64]bool{}
		for _, s := range segs {
			for r := s.First; r <= s.Last; r++ {
				covered[r] = true
			}
		}
		inRuns := map[int64]bool{}
		for i, r := range runs {
			if i > 0 && r.First <= runs[i-1].Last+1 {
				t.Fatalf("listing %v: runs %s are not separated by a gap", spans(segs), ranges(runs))
			}
			prev := r.First - 1
			for _, s := range r.Segments {
				if s.First > prev+1 || s.Last <= prev {
					t.Fatalf("listing %v: in run %s, segment %d-%d does not continue %d", spans(segs), ranges(runs),
						s.First, s.Last, prev)
				}
				for rev := s.First; rev <= s.Last; rev++ {
					inRuns[rev] = true
				}
				prev = s.Last
			}
			if prev != r.Last || r.Segments[0].First != r.First {
				t.Fatalf("listing %v: run %s does not match its segments", spans(segs), ranges(runs))
			}
		}
		if !reflect.DeepEqual(covered, inRuns) {
			t.Fatalf("listing %v: runs %s cover other revisions than the segments", spans(segs), ranges(runs))
		}
	}
}

// pseudoSegments is a small listing, sorted as List sorts, derived from seed.
func pseudoSegments(seed uint64) []Segment {
	x := seed*0x9e3779b97f4a7c15 + 1
	next := func(n uint64) int64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int64(x % n)
	}
	var segs []Segment
	first := int64(1) + next(3)
	for range 1 + next(6) {
		last := first + next(6)
		segs = append(segs, seg(first, last))
		first += next(9) - 2 // back (overlap), on (continuation) or beyond (a gap)
		if first < 1 {
			first = 1
		}
	}
	sortSegments(segs)
	return segs
}

// sortSegments sorts as Journal.List does: by first revision, then last.
func sortSegments(segs []Segment) {
	for i := 1; i < len(segs); i++ {
		for j := i; j > 0; j-- {
			a, b := segs[j-1], segs[j]
			if a.First < b.First || a.First == b.First && a.Last <= b.Last {
				break
			}
			segs[j-1], segs[j] = b, a
		}
	}
}

func TestWindows(t *testing.T) {
	cases := []struct {
		name  string
		segs  []Segment
		bases []Base
		want  []string // base revision: from-to
	}{
		{"oldest base that starts the run", []Segment{seg(11, 30), seg(31, 50)},
			[]Base{base(20, 21), base(10, 10), base(60, 60)}, []string{"10: 10-50"}},
		{"base inside the first segment", []Segment{seg(11, 30), seg(31, 50)}, []Base{base(20, 22)},
			[]string{"20: 22-50"}},
		{"snapshot after its ID revision", []Segment{seg(11, 20)}, []Base{base(10, 15)}, []string{"10: 15-20"}},
		{"base at the run's last revision", []Segment{seg(11, 20)}, []Base{base(20, 20)}, []string{"20: 20-20"}},
		{"base just before the run", []Segment{seg(11, 20)}, []Base{base(10, 10)}, []string{"10: 10-20"}},
		{"no base precedes the run", []Segment{seg(11, 20)}, []Base{base(5, 5)}, nil},
		{"base after the run", []Segment{seg(11, 20)}, []Base{base(21, 21)}, nil},
		{"no base", []Segment{seg(11, 20)}, nil, nil},
		{"a window per run", []Segment{seg(11, 20), seg(31, 40), seg(51, 60)},
			[]Base{base(10, 10), base(50, 50), base(35, 36)}, []string{"10: 10-20", "35: 36-40", "50: 50-60"}},
		{"a run with no base before it", []Segment{seg(11, 20), seg(31, 40)}, []Base{base(10, 10)},
			[]string{"10: 10-20"}},
		{"gap inside: the run after it needs its own base", []Segment{seg(11, 20), seg(22, 30)},
			[]Base{base(10, 10)}, []string{"10: 10-20"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, w := range Windows(Runs(c.segs), c.bases) {
				got = append(got, fmt.Sprintf("%d: %d-%d", w.Base.Rev, w.From, w.To))
				if w.From != w.Base.SnapshotRev {
					t.Fatalf("window %d-%d from base %s at %d", w.From, w.To, w.Base.ID, w.Base.SnapshotRev)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("windows %q, want %q", got, c.want)
			}
		})
	}
}

// planListing is a journal with two runs (11-40 and 51-70, a gap from 41 to 50) and bases before
// the first run, inside it, at the gap's end and after the journal.
var (
	planSegs  = []Segment{seg(11, 20), seg(21, 30), seg(31, 40), seg(51, 60), seg(61, 70)}
	planBases = []Base{base(10, 10), base(25, 26), base(50, 50), base(80, 80)}
)

func TestPlanFor(t *testing.T) {
	cases := []struct {
		name     string
		target   int64
		wantBase int64    // the base's ID revision
		wantSegs []string // first-last
	}{
		{"inside the first segment", 15, 10, []string{"11-20"}},
		{"at a segment's end", 20, 10, []string{"11-20"}},
		{"before the newer base's snapshot", 25, 10, []string{"11-20", "21-30"}},
		{"at the newer base's snapshot", 26, 25, []string{"21-30"}},
		{"after the newer base", 35, 25, []string{"21-30", "31-40"}},
		{"at the run's end", 40, 25, []string{"21-30", "31-40"}},
		{"target is the base's revision", 10, 10, []string{}},
		{"target is the base's revision at a gap's end", 50, 50, []string{}},
		{"first revision after that base", 51, 50, []string{"51-60"}},
		{"in the second run", 65, 50, []string{"51-60", "61-70"}},
		{"the journal's last revision", 70, 50, []string{"51-60", "61-70"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := PlanFor(planSegs, planBases, c.target)
			if err != nil {
				t.Fatal(err)
			}
			if p.Base.Rev != c.wantBase || p.Target != c.target || !reflect.DeepEqual(spans(p.Segments), c.wantSegs) {
				t.Fatalf("plan from base %d to %d with %v, want base %d with %v", p.Base.Rev, p.Target,
					spans(p.Segments), c.wantBase, c.wantSegs)
			}
			checkPlan(t, p)
		})
	}
}

// checkPlan fails unless the plan's segments reach from its base's snapshot to its target
// without a gap.
func checkPlan(t *testing.T, p *Plan) {
	t.Helper()
	if p.Base.SnapshotRev > p.Target {
		t.Fatalf("plan to %d from base %s whose snapshot holds %d", p.Target, p.Base.ID, p.Base.SnapshotRev)
	}
	reached := p.Base.SnapshotRev
	for _, s := range p.Segments {
		if s.First > reached+1 {
			t.Fatalf("plan to %d: segment %d-%d does not continue revision %d", p.Target, s.First, s.Last, reached)
		}
		reached = max(reached, s.Last)
	}
	if reached < p.Target {
		t.Fatalf("plan to %d reaches only %d", p.Target, reached)
	}
}

func TestPlanForOverlap(t *testing.T) {
	// Writer A sealed 11-20 and 21-25; writer B, after a failover, 15-30.
	segs := []Segment{seg(11, 20), seg(15, 30), seg(21, 25), seg(31, 40)}
	p, err := PlanFor(segs, []Base{base(10, 10)}, 35)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := spans(p.Segments), []string{"11-20", "15-30", "31-40"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("segments %v, want %v", got, want)
	}
	checkPlan(t, p)
}

func TestPlanForRefuses(t *testing.T) {
	cases := []struct {
		name   string
		segs   []Segment
		bases  []Base
		target int64
		want   []string
	}{
		{"inside the gap", planSegs, planBases, 45,
			[]string{"revision 45 is not restorable", "gap from revision 41 to 50",
				"nearest restorable points are revision 40 and revision 50"}},
		{"first revision of the gap", planSegs, planBases, 41,
			[]string{"gap from revision 41 to 50", "revision 40 and revision 50"}},
		{"after the end", planSegs, planBases, 75,
			[]string{"revision 75 is not restorable", "the journal ends at revision 70", "revision 70 and revision 80"}},
		{"after everything", planSegs, planBases, 90,
			[]string{"the journal ends at revision 70", "nearest restorable points are revision 80"}},
		{"before everything", planSegs, planBases, 5,
			[]string{"revision 5 is not restorable", "no full backup", "nearest restorable points are revision 10"}},
		{"a run no base precedes", []Segment{seg(11, 20)}, nil, 15,
			[]string{"revision 15 is not restorable", "nothing is restorable here"}},
		{"empty journal, no backup", nil, nil, 15, []string{"nothing is restorable here"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := PlanFor(c.segs, c.bases, c.target)
			if err == nil {
				t.Fatalf("plan from base %s with %v; want an error", p.Base.ID, spans(p.Segments))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

var revisionRE = regexp.MustCompile(`revision (\d+)`)

// TestPlanForNamedPointsAreRestorable asks for every revision around the listing: a plan reaches
// its target, and every point an error names as restorable is one PlanFor accepts.
func TestPlanForNamedPointsAreRestorable(t *testing.T) {
	checked := map[int64]bool{}
	for target := int64(0); target <= 90; target++ {
		p, err := PlanFor(planSegs, planBases, target)
		if err == nil {
			checkPlan(t, p)
			continue
		}
		_, near, ok := strings.Cut(err.Error(), "nearest restorable points are ")
		if !ok {
			t.Fatalf("target %d: %v names no restorable point", target, err)
		}
		for _, m := range revisionRE.FindAllStringSubmatch(near, -1) {
			rev, _ := strconv.ParseInt(m[1], 10, 64)
			if checked[rev] {
				continue
			}
			checked[rev] = true
			if _, perr := PlanFor(planSegs, planBases, rev); perr != nil {
				t.Errorf("target %d: the error names revision %d as restorable, but PlanFor(%d): %v",
					target, rev, rev, perr)
			}
		}
	}
}

func TestGaps(t *testing.T) {
	cases := []struct {
		segs []Segment
		want []Gap
	}{
		{nil, nil},
		{[]Segment{seg(1, 10), seg(11, 20)}, nil},
		{[]Segment{seg(1, 10), seg(12, 20)}, []Gap{{11, 11}}},
		{[]Segment{seg(1, 10), seg(5, 12), seg(20, 30), seg(100, 100)}, []Gap{{13, 19}, {31, 99}}},
	}
	for _, c := range cases {
		if got := Gaps(Runs(c.segs)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("gaps of %v: %v, want %v", spans(c.segs), got, c.want)
		}
	}
}
