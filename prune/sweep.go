package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/spool"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// PendingStore is implemented by stores at which an unfinished write can outlive its writer:
// the file store's temp files and S3 incomplete multipart uploads. Keys are those the writes
// would have committed.
type PendingStore interface {
	// ListPending returns the unfinished writes under prefix. ModTime is when the write was
	// last seen alive: the temp file's last write, or the start of the upload.
	ListPending(ctx context.Context, prefix string) ([]storage.Object, error)
	// AbortPending discards the unfinished writes of key whose ModTime is before before.
	// Writes already gone are not an error.
	AbortPending(ctx context.Context, key string, before time.Time) error
}

func (p *pruner) cutoff() time.Time { return p.o.Now().Add(-p.o.EffectiveGrace()) }

// sweepOrphans removes the data objects without a manifest older than the grace period and the
// drill records of backups that have no manifest.
func (p *pruner) sweepOrphans(ctx context.Context) error {
	cutoff := p.cutoff()
	var todo []Swept
	for _, e := range p.st.index.Entries {
		if e.Committed {
			continue
		}
		for _, o := range ours(p.c.Layout, e).Objects {
			if !o.ModTime.Before(cutoff) {
				continue
			}
			sw, err := p.unlessLocked(ctx, Swept{Kind: KindOrphan, Key: o.Key, ModTime: o.ModTime})
			if err != nil {
				return err
			}
			todo = append(todo, sw...)
		}
	}
	committed := map[string]bool{}
	for _, id := range p.st.index.Committed() {
		committed[id] = true
	}
	for id, keys := range p.st.drills {
		if committed[id] {
			continue
		}
		for _, k := range keys {
			todo = append(todo, Swept{Kind: KindDrill, Key: k})
		}
	}
	return catalog.Each(ctx, len(todo), p.o.Workers, func(i int) error { return p.remove(ctx, todo[i]) })
}

// sweepPending aborts the unfinished writes of our keys (backups and journal segments) older than
// the grace period, at stores that can list them.
func (p *pruner) sweepPending(ctx context.Context) error {
	ps, ok := p.c.Store.(PendingStore)
	if !ok {
		return nil
	}
	jl := journal.Layout{Cluster: p.c.Layout.Cluster}
	folders := []struct {
		prefix string
		ours   func(key string) bool
	}{
		{p.c.Layout.SnapshotsPrefix(), func(k string) bool { return p.c.Layout.ObjectID(k) != "" }},
		{jl.Prefix(), jl.Owns},
	}
	for _, f := range folders {
		if err := p.sweepPendingIn(ctx, ps, f.prefix, f.ours); err != nil {
			return err
		}
	}
	return nil
}

func (p *pruner) sweepPendingIn(ctx context.Context, ps PendingStore, prefix string, ours func(string) bool) error {
	objs, err := ps.ListPending(ctx, prefix)
	if err != nil {
		return fmt.Errorf("list unfinished writes at %s: %w", p.c.Store, err)
	}
	cutoff := p.cutoff()
	for _, o := range objs {
		if !ours(o.Key) || !o.ModTime.Before(cutoff) {
			continue
		}
		s := Swept{Kind: KindPending, Key: o.Key, ModTime: o.ModTime}
		if !p.o.DryRun {
			if err := ps.AbortPending(ctx, o.Key, cutoff); err != nil {
				return fmt.Errorf("abort unfinished write %s at %s: %w", o.Key, p.c.Store, err)
			}
			s.Deleted = true
		}
		p.r.Swept = append(p.r.Swept, s)
	}
	return nil
}

// SweepSpool removes the spool files a crash left in dir. It takes the spool lock through
// spool.Open, so it removes nothing while a backup runs there; the lock, not the age, tells that a
// file is dead. A missing dir is not created. With dryRun it lists the files only.
func SweepSpool(dir string, dryRun bool) ([]Swept, error) {
	found, err := spool.Leftovers(dir)
	if err != nil || len(found) == 0 || dryRun {
		return swept(found, nil), err
	}
	s, removed, err := spool.Open(dir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return swept(found, removed), nil
}

// swept reports the spool files found, marking those removed as deleted.
func swept(found, removed []spool.File) []Swept {
	gone := map[string]bool{}
	for _, f := range removed {
		gone[f.Path] = true
	}
	var out []Swept
	for _, f := range found {
		out = append(out, Swept{Kind: KindSpool, Key: f.Path, ModTime: f.ModTime, Deleted: gone[f.Path]})
	}
	return out
}
