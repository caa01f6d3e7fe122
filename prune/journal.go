package prune

import (
	"context"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// KindSegment is a journal segment no kept backup needs: every revision it holds is older than
// the oldest kept backup.
const KindSegment = "segment"

// pruneJournal removes the segments that only removed backups needed (each manifest first, then its
// data), and the segments' orphans older than the grace period. Segments are kept from the oldest
// kept backup on; with no kept backup at all, nothing is removed.
func (p *pruner) pruneJournal(ctx context.Context) error {
	oldest := int64(-1)
	for _, row := range p.r.Backups {
		if !row.Keep {
			continue
		}
		if _, rev, err := catalog.ParseID(row.ID); err == nil && (oldest < 0 || rev < oldest) {
			oldest = rev
		}
	}
	j := journal.New(p.c.Store, p.c.Layout.Cluster)
	l, err := j.List(ctx)
	if err != nil {
		return err
	}
	var todo [][]Swept
	for _, s := range l.Segments {
		if oldest >= 0 && s.Last <= oldest {
			todo = append(todo, segmentObjects(j, s))
		}
	}
	cutoff := p.cutoff()
	for _, o := range l.Orphans {
		if o.ModTime.Before(cutoff) {
			todo = append(todo, []Swept{{Kind: KindOrphan, Key: o.Key, ModTime: o.ModTime}})
		}
	}
	return catalog.Each(ctx, len(todo), p.o.Workers, func(i int) error {
		for _, s := range todo[i] {
			if err := p.remove(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// segmentObjects are a segment's objects, its manifest first.
func segmentObjects(j *journal.Journal, s journal.Segment) []Swept {
	manifest := j.Layout.ManifestKey(s.Name)
	out := []Swept{{Kind: KindSegment, Key: manifest}}
	for _, o := range s.Objects {
		if o.Key == manifest {
			out[0].ModTime = o.ModTime
			continue
		}
		if strings.HasPrefix(o.Key, j.Layout.Prefix()) {
			out = append(out, Swept{Kind: KindSegment, Key: o.Key, ModTime: o.ModTime})
		}
	}
	return out
}
