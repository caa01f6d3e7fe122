package daemon

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/notify"
)

// alerter sends a notification when a job fails and when it recovers after a failure.
type alerter struct {
	n       *notify.Notifier
	cluster string
	lg      *zap.Logger
	mu      sync.Mutex
	failing map[string]bool // job -> its last run failed
}

func newAlerter(n *notify.Notifier, cluster string, lg *zap.Logger) *alerter {
	return &alerter{n: n, cluster: cluster, lg: lg, failing: map[string]bool{}}
}

// result records one run of job; backupID names the backup it made or tested.
func (a *alerter) result(job, backupID string, err error) {
	if a == nil || a.n == nil {
		return
	}
	a.mu.Lock()
	was := a.failing[job]
	a.failing[job] = err != nil
	a.mu.Unlock()
	e := notify.Event{Cluster: a.cluster, Job: job, BackupID: backupID, Time: time.Now().UTC()}
	switch {
	case err != nil:
		e.Kind, e.Error = notify.KindBackupFailed, err.Error()
		if job == "drill" {
			e.Kind = notify.KindDrillFailed
		}
	case was:
		e.Kind = notify.KindRecovered
	default:
		return
	}
	a.send(e)
}

// event sends a notification of kind for job, with the error text if err is not nil.
func (a *alerter) event(kind, job string, err error) {
	if a == nil || a.n == nil {
		return
	}
	e := notify.Event{Kind: kind, Cluster: a.cluster, Job: job, Time: time.Now().UTC()}
	if err != nil {
		e.Error = err.Error()
	}
	a.send(e)
}

func (a *alerter) send(e notify.Event) {
	// Sent in the background so that a slow webhook never delays the next job.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := a.n.Send(ctx, e); err != nil {
			a.lg.Warn("notification not delivered", zap.String("kind", e.Kind), zap.Error(err))
		}
	}()
}
