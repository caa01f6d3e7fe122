package journal

import (
	"fmt"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Base is a full backup as the journal sees it.
type Base struct {
	ID string
	// Rev is the ID's revision: the member's revision just before the snapshot, so at most the
	// snapshot's own. A chain that starts at Rev+1 or before covers everything after the snapshot.
	Rev int64
	// SnapshotRev is the revision inside the snapshot (the manifest's snapshot.revision).
	SnapshotRev int64
	Time        time.Time
}

// BaseOf describes a backup's manifest as a base.
func BaseOf(m *catalog.Manifest) (Base, error) {
	_, rev, err := catalog.ParseID(m.ID)
	if err != nil {
		return Base{}, err
	}
	return Base{ID: m.ID, Rev: rev, SnapshotRev: max(m.Snapshot.Revision, rev), Time: m.CreatedAt}, nil
}

// Run is a stretch of segments, each continuing the one before: every revision from First to Last
// is in one of them. Overlapping segments (two writers after a failover) continue a run too; one
// that another holds entirely is left out.
type Run struct {
	First, Last int64
	Segments    []Segment
}

// Runs splits a listing's segments (sorted by first revision) into runs.
func Runs(segs []Segment) []Run {
	var runs []Run
	for _, s := range segs {
		if n := len(runs); n > 0 && s.First <= runs[n-1].Last+1 {
			r := &runs[n-1]
			if s.Last > r.Last {
				// s holds every segment at its end that starts where it does or later.
				for k := len(r.Segments); k > 0 && r.Segments[k-1].First >= s.First; k-- {
					r.Segments = r.Segments[:k-1]
				}
				r.Segments = append(r.Segments, s)
				r.Last = s.Last
			}
			continue
		}
		runs = append(runs, Run{First: s.First, Last: s.Last, Segments: []Segment{s}})
	}
	return runs
}

// Window is a stretch of revisions restorable to the exact revision: from a full backup, then
// segments.
type Window struct {
	Base Base  `json:"-"`
	From int64 `json:"from_revision"` // the base's snapshot revision
	To   int64 `json:"to_revision"`
	run  *Run
}

// Windows are the restorable stretches: each run from the oldest base it can start from. A run that
// no base precedes restores nothing.
func Windows(runs []Run, bases []Base) []Window {
	var ws []Window
	for i := range runs {
		r := &runs[i]
		var best *Base
		for j := range bases {
			b := &bases[j]
			if startsRun(b, r) && (best == nil || b.SnapshotRev < best.SnapshotRev) {
				best = b
			}
		}
		if best != nil {
			ws = append(ws, Window{Base: *best, From: best.SnapshotRev, To: r.Last, run: r})
		}
	}
	return ws
}

// startsRun says whether r covers everything after base b, up to r's end.
func startsRun(b *Base, r *Run) bool {
	return r.First <= b.Rev+1 && b.SnapshotRev <= r.Last
}

// Plan is what a restore to Target needs: a base and the segments after it, in order.
type Plan struct {
	Base     Base
	Segments []Segment
	Target   int64
}

// PlanFor picks the newest base from which the segments reach target without a gap, and the
// segments from the one after that base to the one holding target. The error names the nearest
// restorable points when target cannot be reached.
func PlanFor(segs []Segment, bases []Base, target int64) (*Plan, error) {
	runs := Runs(segs)
	var best *Plan
	for i := range runs {
		r := &runs[i]
		if target < r.First-1 || target > r.Last {
			continue
		}
		for _, b := range bases {
			if startsRun(&b, r) && b.SnapshotRev <= target && (best == nil || b.SnapshotRev > best.Base.SnapshotRev) {
				best = &Plan{Base: b, Target: target, Segments: needed(r, b.Rev, target)}
			}
		}
	}
	if best == nil {
		for _, b := range bases { // the state of a full backup itself, with nothing to replay
			if b.SnapshotRev == target {
				return &Plan{Base: b, Target: target}, nil
			}
		}
		return nil, unreachable(runs, bases, target)
	}
	return best, nil
}

// needed are the segments of r holding revisions after rev up to target.
func needed(r *Run, rev, target int64) []Segment {
	var out []Segment
	for _, s := range r.Segments {
		if s.Last > rev && s.First <= target {
			out = append(out, s)
		}
	}
	return out
}

// unreachable explains why target has no plan, naming the restorable points around it.
func unreachable(runs []Run, bases []Base, target int64) error {
	var below, above int64 = -1, -1
	for _, w := range Windows(runs, bases) {
		if w.To < target && w.To > below {
			below = w.To
		}
		if w.From > target && (above < 0 || w.From < above) {
			above = w.From
		}
	}
	for _, b := range bases {
		if b.SnapshotRev < target && b.SnapshotRev > below {
			below = b.SnapshotRev
		}
		if b.SnapshotRev > target && (above < 0 || b.SnapshotRev < above) {
			above = b.SnapshotRev
		}
	}
	var near []string
	if below >= 0 {
		near = append(near, fmt.Sprintf("revision %d", below))
	}
	if above >= 0 {
		near = append(near, fmt.Sprintf("revision %d", above))
	}
	msg := "no full backup, or a gap in the journal, before it"
	if gap := gapAround(runs, target); gap != "" {
		msg = gap
	}
	if len(near) == 0 {
		return fmt.Errorf("revision %d is not restorable: %s; nothing is restorable here", target, msg)
	}
	return fmt.Errorf("revision %d is not restorable: %s; the nearest restorable points are %s",
		target, msg, strings.Join(near, " and "))
}

// gapAround describes the journal gap that holds target, if any.
func gapAround(runs []Run, target int64) string {
	for i := 1; i < len(runs); i++ {
		if from, to := runs[i-1].Last+1, runs[i].First-1; target >= from && target <= to {
			return fmt.Sprintf("the journal has a gap from revision %d to %d", from, to)
		}
	}
	if n := len(runs); n > 0 && target > runs[n-1].Last {
		return fmt.Sprintf("the journal ends at revision %d", runs[n-1].Last)
	}
	return ""
}

// Gap is a stretch of revisions no segment holds, between two runs.
type Gap struct {
	From int64 `json:"from_revision"`
	To   int64 `json:"to_revision"`
}

// Gaps are the stretches missing between runs.
func Gaps(runs []Run) []Gap {
	var gs []Gap
	for i := 1; i < len(runs); i++ {
		gs = append(gs, Gap{From: runs[i-1].Last + 1, To: runs[i].First - 1})
	}
	return gs
}
