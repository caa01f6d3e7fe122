package prune

import (
	"context"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/storage"
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
	now := p.o.Now()
	for _, s := range l.Segments {
		if oldest < 0 || s.Last > oldest {
			continue
		}
		objs := segmentObjects(j, s)
		until, err := storage.LockedUntil(ctx, p.c.Store, sweptKeys(objs), now)
		if err != nil {
			return err
		}
		if !until.IsZero() { // retained by the object lock: reported, left
			p.mu.Lock()
			p.r.Swept = append(p.r.Swept, Swept{Kind: KindSegment, Key: objs[0].Key, ModTime: objs[0].ModTime, LockedUntil: &until})
			p.mu.Unlock()
			continue
		}
		todo = append(todo, objs)
	}
	cutoff := p.cutoff()
	for _, o := range l.Orphans {
		if !o.ModTime.Before(cutoff) {
			continue
		}
		sw, err := p.unlessLocked(ctx, Swept{Kind: KindOrphan, Key: o.Key, ModTime: o.ModTime})
		if err != nil {
			return err
		}
		if len(sw) > 0 {
			todo = append(todo, sw)
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

func sweptKeys(ss []Swept) []string {
	keys := make([]string, len(ss))
	for i, s := range ss {
		keys[i] = s.Key
	}
	return keys
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
