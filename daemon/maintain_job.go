package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/maintain"
	"github.com/etcd-backupd/etcd-backupd/memlimit"
	"github.com/etcd-backupd/etcd-backupd/notify"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// Kinds of maintenance, as the metrics and notifications name them.
const (
	KindDefragment = "defragment"
	KindNoSpace    = "nospace"
)

// MaintainJob runs day-2 maintenance (package maintain) on the cluster: defragmentation in the safe
// order, and the NOSPACE runbook. Before it changes anything it takes a backup, which must commit at
// every destination and read back there (decrypted when this node holds the private key, its
// stored bytes otherwise). One maintenance runs at a time, whoever asks.
type MaintainJob struct {
	etcd    *cluster.Client
	opts    maintain.Options
	backup  *BackupJob
	dests   *catalog.Set
	verify  verify.Options
	metrics *Metrics
	alerts  *alerter
	lg      *zap.Logger
	leading func() bool
	mu      sync.Mutex
}

func newMaintainJob(c Config, d Deps, m *Metrics, a *alerter, b *BackupJob) *MaintainJob {
	o := c.Maintain
	o.Logger = d.Logger.Named("maintain")
	v := c.Drill
	v.Logger = d.Logger.Named("verify")
	return &MaintainJob{etcd: d.Etcd, opts: o, backup: b, dests: d.Destinations, verify: v, metrics: m,
		alerts: a, lg: d.Logger}
}

// Options are the configured options, for the caller to adjust (DryRun, All, ...) before Run.
func (j *MaintainJob) Options() maintain.Options { return j.opts }

// Run defragments the members the rule picks (o.All: every member), or with nospace runs the
// NOSPACE runbook, and records the result.
func (j *MaintainJob) Run(ctx context.Context, o maintain.Options, nospace bool) (*maintain.Report, error) {
	defer memlimit.Hold(memlimit.None)()
	j.mu.Lock()
	defer j.mu.Unlock()
	if !o.NoBackup {
		o.BackupFirst = j.backupFirst
	}
	kind, run := KindDefragment, maintain.Run
	if nospace {
		kind, run = KindNoSpace, maintain.RemediateNoSpace
	}
	rep, err := run(ctx, j.etcd, o)
	if !o.DryRun {
		j.metrics.RecordMaintenance(kind, rep, err)
	}
	return rep, err
}

// Scheduled is the schedule.maintain job; a daemon that does not lead skips it.
func (j *MaintainJob) Scheduled(ctx context.Context) error {
	if j.leading != nil && !j.leading() {
		return nil
	}
	_, err := j.Run(ctx, j.opts, false)
	if isRefusal(err) {
		j.lg.Warn("maintenance refused; nothing changed", zap.Error(err))
	}
	return err
}

// WatchNoSpace is the job of maintenance.nospace: remediate. When a member raises NOSPACE, it runs
// the runbook and notifies at its start and its end.
func (j *MaintainJob) WatchNoSpace(ctx context.Context) error {
	if j.leading != nil && !j.leading() {
		return nil
	}
	if g, _ := j.etcd.Poll(ctx); g.Alarms[cluster.AlarmNoSpace] == 0 {
		return nil
	}
	j.lg.Warn("NOSPACE raised: remediating (backup, compaction, defragmentation, disarm)")
	j.alerts.event(notify.KindMaintenanceStarted, KindNoSpace, nil)
	rep, err := j.Run(ctx, j.opts, true)
	switch {
	case errors.Is(err, maintain.ErrNoAlarm): // cleared in between: the start told is ended all the same
		j.lg.Info("NOSPACE cleared before its remediation began")
		j.alerts.event(notify.KindMaintenanceDone, KindNoSpace, nil)
		return nil
	case err != nil:
		j.alerts.event(notify.KindMaintenanceFailed, KindNoSpace, err)
		return fmt.Errorf("NOSPACE remediation: %w", err)
	}
	j.lg.Info("NOSPACE remediated", zap.Int64("reclaimed_bytes", rep.ReclaimedBytes))
	j.alerts.event(notify.KindMaintenanceDone, KindNoSpace, nil)
	return nil
}

// backupFirst takes a backup and reads it back at every destination.
func (j *MaintainJob) backupFirst(ctx context.Context) error {
	res, err := j.backup.Run(ctx)
	if err != nil {
		return fmt.Errorf("backup before maintenance: %w", err)
	}
	return j.dests.Each(ctx, func(c *catalog.Catalog) error {
		o := j.verify
		o.Catalog = c
		if o.Identity != nil {
			_, err := verify.Quick(ctx, o, res.Manifest)
			return err
		}
		return verify.Stored(ctx, o, res.Manifest)
	})
}

func isRefusal(err error) bool {
	var r *maintain.RefusedError
	return errors.As(err, &r)
}
