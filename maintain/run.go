package maintain

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// runner is one maintenance run.
type runner struct {
	c    *cluster.Client
	o    Options
	rep  *Report
	done map[uint64]bool // members defragmented by this run
}

func newRunner(c *cluster.Client, o Options, kind string) *runner {
	o.defaults()
	return &runner{c: c, o: o, rep: newReport(kind, o), done: map[uint64]bool{}}
}

// Run checks the preconditions, calls BackupFirst, compacts when asked, then defragments the
// members the rule picks: followers one at a time, each back and caught up before the next, then
// the leader, once it has handed leadership to a member already done. The report is never nil;
// the error says what stopped the run and names the member; members after it are untouched.
func Run(ctx context.Context, c *cluster.Client, o Options) (*Report, error) {
	r := newRunner(c, o, "defragment")
	return r.rep, r.rep.finish(r.run(ctx))
}

func (r *runner) run(ctx context.Context) error {
	if err := r.hookGiven(); err != nil {
		return err
	}
	_, steps, err := r.look(ctx)
	if err != nil || r.o.DryRun {
		return err
	}
	if len(planned(steps)) == 0 && !r.o.Compact {
		r.o.Logger.Info("no member is due for defragmentation")
		return nil
	}
	if err := r.backup(ctx); err != nil {
		return err
	}
	if r.o.Compact {
		if err := r.compact(ctx, r.o.KeepRevisions); err != nil {
			return err
		}
		// Compaction turns old revisions into free pages: decide again on fresh figures.
		if _, steps, err = r.look(ctx); err != nil {
			return midRun(err, "after the compaction, the cluster is not ready")
		}
	}
	return r.defragment(ctx, steps)
}

// look gathers the cluster's health, plans and checks the preconditions; the report gets the plan
// even when they fail.
func (r *runner) look(ctx context.Context) (*cluster.Health, []Step, error) {
	h := r.c.Health(ctx, cluster.HealthOptions{Read: true})
	steps := Plan(h, r.o)
	r.rep.plan(steps)
	return h, steps, Preconditions(h, r.o)
}

// hookGiven refuses a run with neither a backup hook nor NoBackup, before anything is read.
func (r *runner) hookGiven() error {
	if r.o.BackupFirst == nil && !r.o.NoBackup && !r.o.DryRun {
		return errors.New("no backup hook: pass BackupFirst, or set NoBackup to run without a backup")
	}
	return nil
}

func (r *runner) backup(ctx context.Context) error {
	if r.o.BackupFirst == nil {
		return nil
	}
	if err := r.o.BackupFirst(ctx); err != nil {
		return fmt.Errorf("backup before maintenance failed, nothing changed: %w", err)
	}
	r.rep.BackupTaken = true
	return nil
}

// compact compacts to the current revision minus keep, physically.
func (r *runner) compact(ctx context.Context, keep int64) error {
	rev, err := r.c.Revision(ctx)
	if err != nil {
		return err
	}
	target := rev - max(keep, 0)
	if target <= 1 {
		r.o.Logger.Info("nothing to compact", zap.Int64("revision", rev), zap.Int64("keep", keep))
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, r.o.DefragTimeout)
	defer cancel()
	err = r.c.Compact(cctx, target)
	if errors.Is(err, cluster.ErrCompacted) {
		r.o.Logger.Info("already compacted", zap.Int64("revision", target))
		return nil
	}
	if err != nil {
		return err
	}
	r.rep.CompactedRevision = target
	r.o.Logger.Info("compacted", zap.Int64("revision", target))
	return nil
}

// defragment runs the planned steps in order and stops at the first failure.
func (r *runner) defragment(ctx context.Context, steps []Step) error {
	for _, s := range planned(steps) {
		mr := r.rep.member(s.Endpoint)
		if err := r.defragOne(ctx, s, mr); err != nil {
			mr.Error = err.Error()
			return err
		}
	}
	return nil
}
