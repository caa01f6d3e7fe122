package journal

import (
	"context"
	"errors"
)

// Newest is the newest committed segment (by last revision) at any of journals; nil when none has
// one. The error joins the journals that could not be listed, even when another answered.
func Newest(ctx context.Context, journals []*Journal) (*Segment, error) {
	var best *Segment
	var errs []error
	for _, j := range journals {
		l, err := j.List(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n := len(l.Segments); n > 0 {
			s := newestOf(l.Segments)
			if best == nil || s.Last > best.Last {
				best = &s
			}
		}
	}
	return best, errors.Join(errs...)
}

func newestOf(segs []Segment) Segment {
	best := segs[0]
	for _, s := range segs[1:] {
		if s.Last > best.Last {
			best = s
		}
	}
	return best
}

// StartAfter is where a recording starts: after the newest segment when it reaches the newest
// backup (the chain goes on, with no gap when etcd still holds the revisions), else after that
// backup, as a new chain. ok is false when there is neither.
func StartAfter(seg *Segment, base *Base) (st Start, ok bool) {
	switch {
	case seg != nil && (base == nil || seg.Last >= base.Rev):
		return Start{Next: seg.Last + 1, Previous: seg.Name}, true
	case base != nil:
		return Start{Next: base.Rev + 1, Base: base.ID}, true
	}
	return Start{}, false
}
