package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/notify"
)

// Service holds the jobs' work and records their metrics. Backup and Prune are given by the caller.
type Service struct {
	Metrics *Metrics
	Logger  *zap.Logger
	Backup  func(ctx context.Context) (*backup.Result, error)
	// Prune applies retention after a successful backup and returns how many backups it deleted.
	// nil skips retention.
	Prune func(ctx context.Context) (int, error)
	// Leading, when set, must say true for retention to start: a daemon that lost leadership during a
	// backup lets the backup finish but prunes nothing.
	Leading func() bool
	// Drill runs one restore drill and returns its record; the error is non-nil when it failed.
	Drill func(ctx context.Context) (*catalog.Drill, error)
	// Notifier, when set, is told of failures and recoveries.
	Notifier *notify.Notifier
	alerts   *alerter
	once     sync.Once
}

// BackupAndPrune takes one backup and, only if it was committed everywhere, applies retention.
func (s *Service) BackupAndPrune(ctx context.Context) (*backup.Result, error) {
	start := time.Now()
	res, err := s.Backup(ctx)
	s.record(res, err, time.Since(start))
	if err == nil && res != nil {
		err = res.Err()
	}
	s.alert("backup", res, err)
	if err != nil {
		return res, err
	}
	if s.Prune == nil {
		return res, nil
	}
	if s.Leading != nil && !s.Leading() {
		s.Logger.Warn("leadership lost during the backup; retention skipped")
		return res, nil
	}
	n, perr := s.Prune(ctx)
	s.Metrics.RetentionDeleted.Add(float64(n))
	if perr != nil {
		return res, fmt.Errorf("retention: %w", perr)
	}
	return res, nil
}

// DrillJob runs the scheduled restore drill and records its metrics. A failed drill is logged at
// error level by the scheduler.
func (s *Service) DrillJob(ctx context.Context) error {
	if s.Leading != nil && !s.Leading() {
		return nil
	}
	d, err := s.Drill(ctx)
	id := ""
	if d != nil {
		id = d.BackupID
	}
	if err != nil {
		s.Metrics.Verifies.WithLabelValues("failure").Inc()
	} else {
		s.Metrics.Verifies.WithLabelValues("success").Inc()
		s.Metrics.VerifyLastSuccess.Set(float64(time.Now().Unix()))
	}
	s.alertID("drill", id, err)
	return err
}

func (s *Service) alert(job string, res *backup.Result, err error) {
	id := ""
	if res != nil && res.Manifest != nil {
		id = res.Manifest.ID
	}
	s.alertID(job, id, err)
}

func (s *Service) alertID(job, id string, err error) {
	s.once.Do(func() { s.alerts = newAlerter(s.Notifier, s.Metrics.cluster, s.Logger) })
	s.alerts.result(job, id, err)
}

func (s *Service) record(res *backup.Result, err error, took time.Duration) {
	m := s.Metrics
	result := "success"
	switch {
	case err != nil:
		result = "failure"
	case res.Err() != nil:
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
	m.BackupLastSuccess.Set(float64(res.Manifest.CreatedAt.Unix()) + res.Manifest.DurationSeconds)
	m.BackupSize.WithLabelValues("snapshot").Set(float64(res.Manifest.Snapshot.Size))
	m.BackupSize.WithLabelValues("stored").Set(float64(res.Manifest.Object.Size))
}
