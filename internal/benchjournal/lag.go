package main

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// revAck is when etcd acknowledged a revision (unix ns).
type revAck struct{ rev, at int64 }

// ackLog collects the acknowledged revisions of a workload.
type ackLog struct {
	mu   sync.Mutex
	acks []revAck
}

func (l *ackLog) add(_, rev int64, at time.Time) {
	l.mu.Lock()
	l.acks = append(l.acks, revAck{rev, at.UnixNano()})
	l.mu.Unlock()
}

// segmentLag is one committed segment and how long its earliest-acknowledged write waited from
// its acknowledgement to the commit: what a kill just before this commit would have lost.
type segmentLag struct {
	seg segmentStat
	lag time.Duration
}

// lagsOf is the lag of every segment that holds acknowledged revisions, by commit time.
func lagsOf(w *walDir, acks []revAck) []segmentLag {
	acks = slices.Clone(acks)
	slices.SortFunc(acks, func(a, b revAck) int { return cmp.Compare(a.rev, b.rev) })
	var out []segmentLag
	for _, s := range w.segments {
		i, _ := slices.BinarySearchFunc(acks, s.m.FirstRevision, func(a revAck, rev int64) int { return cmp.Compare(a.rev, rev) })
		var earliest int64
		for ; i < len(acks) && acks[i].rev <= s.m.LastRevision; i++ {
			if earliest == 0 || acks[i].at < earliest {
				earliest = acks[i].at
			}
		}
		if earliest > 0 {
			out = append(out, segmentLag{s, s.committed.Sub(time.Unix(0, earliest))})
		}
	}
	slices.SortFunc(out, func(a, b segmentLag) int { return a.seg.committed.Compare(b.seg.committed) })
	return out
}

// committedWithin are the segments committed in [from, to].
func committedWithin(lags []segmentLag, from, to time.Time) []segmentLag {
	var in []segmentLag
	for _, l := range lags {
		if !l.seg.committed.Before(from) && !l.seg.committed.After(to) {
			in = append(in, l)
		}
	}
	return in
}

// commitRate is the events a second committed from the first to the last of lags (the first
// one's events came before the window).
func commitRate(lags []segmentLag) float64 {
	if len(lags) < 2 {
		return 0
	}
	events := 0
	for _, l := range lags[1:] {
		events += l.seg.m.Events
	}
	return float64(events) / lags[len(lags)-1].seg.committed.Sub(lags[0].seg.committed).Seconds()
}

func maxLagOf(lags []segmentLag) time.Duration {
	var d time.Duration
	for _, l := range lags {
		d = max(d, l.lag)
	}
	return d
}
