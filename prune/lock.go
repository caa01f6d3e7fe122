package prune

import (
	"context"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

func keysOf(e *catalog.Entry) []string {
	var keys []string
	for _, o := range e.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// holdLocked takes out of todo (indexes of rows to delete) the backups whose objects the lock
// still retains, noting until when on their rows; it returns the rest.
func (p *pruner) holdLocked(ctx context.Context, entries map[string]*catalog.Entry, todo []int) ([]int, error) {
	var free []int
	now := p.o.Now()
	for _, i := range todo {
		row := &p.r.Backups[i]
		until, err := storage.LockedUntil(ctx, p.c.Store, keysOf(ours(p.c.Layout, entries[row.ID])), now)
		if err != nil {
			return nil, err
		}
		if until.IsZero() {
			free = append(free, i)
			continue
		}
		row.LockedUntil = &until
		p.lg.Info("backup retained by the object lock; not deleted", zap.String("id", row.ID), zap.Time("until", until))
	}
	return free, nil
}

// keepLocked extends the lock of every kept backup (storage.KeepLocked), so that the lock lasts as
// long as retention keeps a backup: at least min_retention after the last prune that kept it.
func (p *pruner) keepLocked(ctx context.Context, entries map[string]*catalog.Entry) error {
	for _, row := range p.r.Backups {
		if !row.Keep {
			continue
		}
		for _, k := range keysOf(ours(p.c.Layout, entries[row.ID])) {
			if err := storage.KeepLocked(ctx, p.c.Store, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// unlessLocked returns s to delete, or nothing when the object lock still retains it: then s is
// reported, with until when, and left.
func (p *pruner) unlessLocked(ctx context.Context, s Swept) ([]Swept, error) {
	until, err := storage.LockedUntil(ctx, p.c.Store, []string{s.Key}, p.o.Now())
	if err != nil || until.IsZero() {
		return []Swept{s}, err
	}
	s.LockedUntil = &until
	p.mu.Lock()
	p.r.Swept = append(p.r.Swept, s)
	p.mu.Unlock()
	return nil, nil
}
