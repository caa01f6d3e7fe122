package prune

import (
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/retention"
)

// DefaultGrace is how old an object without a manifest must be before the sweeper removes it.
const DefaultGrace = 24 * time.Hour

// Options configure a prune.
type Options struct {
	Policy retention.Policy
	// DryRun plans and reports, and deletes nothing.
	DryRun bool
	// Grace is the age after which orphans and unfinished writes are swept; 0 means DefaultGrace.
	// It is raised to BackupTimeout, so that a backup still uploading is never swept.
	Grace time.Duration
	// BackupTimeout bounds one backup (etcd.snapshot_timeout).
	BackupTimeout time.Duration
	// SpoolDir, when set, is swept of crash leftovers while its lock is free.
	SpoolDir string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *zap.Logger // may be nil
	// Workers bounds the deletions in flight per destination; 0 means 8.
	Workers int
}

// EffectiveGrace is the grace period in use: Grace or DefaultGrace, never below BackupTimeout.
func (o Options) EffectiveGrace() time.Duration {
	g := o.Grace
	if g <= 0 {
		g = DefaultGrace
	}
	return max(g, o.BackupTimeout)
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
}
