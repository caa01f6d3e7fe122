package journal

import (
	"context"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Summary is what list and check show of the journal at one destination.
type Summary struct {
	Segments int          `json:"segments"`
	Bytes    int64        `json:"bytes"`
	Windows  []WindowInfo `json:"windows"` // the restorable stretches, oldest first
	Gaps     []Gap        `json:"gaps"`    // revisions no segment holds, between runs
	// Newest is the last revision journaled and when it was received; 0 with an empty journal.
	NewestRevision int64     `json:"newest_revision"`
	NewestTime     time.Time `json:"newest_time"`
}

// WindowInfo is a restorable stretch: any revision from From to To, exactly.
type WindowInfo struct {
	Base         string    `json:"base_backup"`
	FromRevision int64     `json:"from_revision"`
	FromTime     time.Time `json:"from_time"` // when the base backup was taken
	ToRevision   int64     `json:"to_revision"`
	ToTime       time.Time `json:"to_time"` // when the journal received ToRevision
}

// BasesOf are the backups' manifests as bases; a manifest whose ID does not parse is left out.
func BasesOf(ms []*catalog.Manifest) []Base {
	var bs []Base
	for _, m := range ms {
		if b, err := BaseOf(m); err == nil {
			bs = append(bs, b)
		}
	}
	return bs
}

// Summarize lists the journal and describes its windows against the backups ms. It reads the
// manifest of the last segment of each run, for the times.
func (j *Journal) Summarize(ctx context.Context, ms []*catalog.Manifest) (*Summary, error) {
	l, err := j.List(ctx)
	if err != nil {
		return nil, err
	}
	s := &Summary{Segments: len(l.Segments), Windows: []WindowInfo{}, Gaps: []Gap{}}
	for _, seg := range l.Segments {
		s.Bytes += seg.Size()
	}
	runs := Runs(l.Segments)
	s.Gaps = append(s.Gaps, Gaps(runs)...)
	for _, w := range Windows(runs, BasesOf(ms)) {
		last := w.run.Segments[len(w.run.Segments)-1]
		m, err := j.Manifest(ctx, last.Name)
		if err != nil {
			return s, err
		}
		s.Windows = append(s.Windows, WindowInfo{Base: w.Base.ID, FromRevision: w.From, FromTime: w.Base.Time,
			ToRevision: w.To, ToTime: m.LastTime})
	}
	if n := len(runs); n > 0 {
		r := runs[n-1]
		m, err := j.Manifest(ctx, r.Segments[len(r.Segments)-1].Name)
		if err != nil {
			return s, err
		}
		s.NewestRevision, s.NewestTime = m.LastRevision, m.LastTime
	}
	return s, nil
}
