package daemon

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/memlimit"
	"github.com/etcd-backupd/etcd-backupd/prune"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// BackupJob takes one backup and, only when every destination committed it, applies retention. It
// is the scheduled backup and run-once alike.
type BackupJob struct {
	metrics *Metrics
	lg      *zap.Logger
	alerts  *alerter
	take    func(ctx context.Context) (*backup.Result, error)
	// prune applies retention and returns how many backups it deleted; nil skips retention.
	prune func(ctx context.Context) (int, error)
	// leading, when set, must say true for retention to start: a daemon that lost leadership during a
	// backup lets the backup finish but prunes nothing.
	leading func() bool
	// heap is the soft heap limit while the backup runs: memlimit.Backup and what the uploads buffer.
	heap int64
}

func newBackupJob(c Config, d Deps, m *Metrics, a *alerter) *BackupJob {
	bo := c.Backup
	bo.Destinations = d.Destinations.All()
	bo.Logger = d.Logger.Named("backup")
	j := &BackupJob{metrics: m, lg: d.Logger, alerts: a, heap: memlimit.Backup,
		take: func(ctx context.Context) (*backup.Result, error) { return backup.Run(ctx, d.Etcd, bo) }}
	for _, c := range bo.Destinations {
		j.heap += storage.UploadMemory(c.Store)
	}
	if c.Retention != nil {
		po := *c.Retention
		po.Logger = d.Logger.Named("prune")
		j.prune = func(ctx context.Context) (int, error) {
			res, err := prune.RunAll(ctx, d.Destinations, po)
			return res.Deleted(), err
		}
	}
	return j
}

// Run takes the backup, records its metrics and alerts, then applies retention.
func (j *BackupJob) Run(ctx context.Context) (*backup.Result, error) {
	defer memlimit.Hold(j.heap)()
	start := time.Now()
	res, err := j.take(ctx)
	j.record(res, err, time.Since(start))
	if err == nil && res != nil {
		err = res.Err()
	}
	j.alerts.result("backup", resultID(res), err)
	if err != nil {
		return res, err
	}
	if j.prune == nil {
		return res, nil
	}
	if j.leading != nil && !j.leading() {
		j.lg.Warn("leadership lost during the backup; retention skipped")
		return res, nil
	}
	n, perr := j.prune(ctx)
	j.metrics.RetentionDeleted.Add(float64(n))
	if perr != nil {
		return res, fmt.Errorf("retention: %w", perr)
	}
	return res, nil
}

func resultID(res *backup.Result) string {
	if res == nil || res.Manifest == nil {
		return ""
	}
	return res.Manifest.ID
}

func (j *BackupJob) record(res *backup.Result, err error, took time.Duration) {
	m := j.metrics
	result := "success"
	switch {
	case err != nil:
		result = "failure"
	case res != nil && res.Err() != nil:
		result = "partial"
	}
	m.Backups.WithLabelValues(result).Inc()
	if res != nil {
		for _, d := range res.Dests {
			r := "success"
			if d.Err != nil {
				r = "failure"
			}
			m.UploadTotal.WithLabelValues(d.URL, r).Inc()
			m.UploadBytes.WithLabelValues(d.URL).Add(float64(d.Bytes))
		}
	}
	if err != nil || res == nil || res.Manifest == nil {
		return
	}
	m.BackupDuration.Observe(took.Seconds())
	m.BackupLastSuccess.Set(lastSuccess(res.Manifest))
	m.BackupSize.WithLabelValues("snapshot").Set(float64(res.Manifest.Snapshot.Size))
	m.BackupSize.WithLabelValues("stored").Set(float64(res.Manifest.Object.Size))
}

// lastSuccess is when a backup finished, as the last-success gauge shows it.
func lastSuccess(m *catalog.Manifest) float64 {
	return float64(m.CreatedAt.Unix()) + m.DurationSeconds
}
