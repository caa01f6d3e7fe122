package prune

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// RunAll prunes every destination in turn (catalog.Set's policy: a failed destination does not
// stop the others; their errors are joined), then sweeps the spool. The Result is never nil.
func RunAll(ctx context.Context, set *catalog.Set, o Options) (*Result, error) {
	o.defaults()
	res := &Result{Destinations: []*Report{}, Spool: []Swept{}}
	err := set.Each(ctx, func(c *catalog.Catalog) error {
		r, err := Run(ctx, c, o)
		res.Destinations = append(res.Destinations, r)
		return err
	})
	if o.SpoolDir != "" {
		sw, err := SweepSpool(o.SpoolDir, o.DryRun)
		res.Spool = append(res.Spool, sw...)
		if err != nil {
			res.SpoolWarning = err.Error()
			o.Logger.Warn("spool not swept", zap.Error(err))
		}
	}
	return res, err
}

// Run prunes one destination: it applies the policy to what the listings show, deletes the
// backups the policy removes (unless DryRun), and sweeps orphans. The Report is never nil and
// tells what was done even when Run fails part way.
func Run(ctx context.Context, c *catalog.Catalog, o Options) (*Report, error) {
	o.defaults()
	r := &Report{
		Destination:  c.Store.String(),
		Policy:       o.Policy.String(),
		DryRun:       o.DryRun,
		GraceSeconds: o.EffectiveGrace().Seconds(),
		Backups:      []Row{},
		Swept:        []Swept{},
	}
	p := &pruner{c: c, o: o, r: r, lg: o.Logger.With(zap.String("destination", r.Destination))}
	if err := p.run(ctx); err != nil {
		r.Error = err.Error()
		return r, err
	}
	return r, nil
}

// pruner is one prune of one destination.
type pruner struct {
	c  *catalog.Catalog
	o  Options
	r  *Report
	st *state
	lg *zap.Logger
	mu sync.Mutex // guards r.Swept and r.Deleted during deletions
}

func (p *pruner) run(ctx context.Context) error {
	st, err := load(ctx, p.c)
	if err != nil {
		return err
	}
	p.st = st
	ds, err := plan(ctx, st, p.o)
	if err != nil {
		return err
	}
	p.r.Backups = rows(ds)
	if err := p.deleteBackups(ctx); err != nil {
		return err
	}
	if err := p.sweepOrphans(ctx); err != nil {
		return err
	}
	if err := p.pruneJournal(ctx); err != nil {
		return err
	}
	return p.sweepPending(ctx)
}

// deleteBackups deletes the removed backups, oldest first: the manifest, then the data, then
// the backup's drill records. A backup the object lock still retains is left, "locked until";
// the lock of the kept ones is extended first.
func (p *pruner) deleteBackups(ctx context.Context) error {
	entries := make(map[string]*catalog.Entry, len(p.st.index.Entries))
	for _, e := range p.st.index.Entries {
		entries[e.ID] = e
	}
	var todo []int
	for i := len(p.r.Backups) - 1; i >= 0; i-- {
		if !p.r.Backups[i].Keep {
			todo = append(todo, i)
		}
	}
	todo, err := p.holdLocked(ctx, entries, todo)
	if err != nil || p.o.DryRun {
		return err
	}
	if err := p.keepLocked(ctx, entries); err != nil {
		return err
	}
	return catalog.Each(ctx, len(todo), p.o.Workers, func(k int) error {
		row := &p.r.Backups[todo[k]]
		if err := p.c.Delete(ctx, ours(p.c.Layout, entries[row.ID])); err != nil {
			return p.deleteErr(err)
		}
		row.Deleted = true
		p.mu.Lock()
		p.r.Deleted++
		p.mu.Unlock()
		p.lg.Info("deleted backup", zap.String("id", row.ID), zap.Strings("reasons", row.Reasons))
		for _, key := range p.st.drills[row.ID] {
			if err := p.remove(ctx, Swept{Kind: KindDrill, Key: key}); err != nil {
				return err
			}
		}
		return nil
	})
}

// remove deletes one swept object (unless DryRun) and adds it to the report.
func (p *pruner) remove(ctx context.Context, s Swept) error {
	if !p.o.DryRun {
		if err := p.c.Store.Delete(ctx, s.Key); err != nil {
			return p.deleteErr(err)
		}
		s.Deleted = true
	}
	p.mu.Lock()
	p.r.Swept = append(p.r.Swept, s)
	p.mu.Unlock()
	return nil
}
