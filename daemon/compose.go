package daemon

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/maintain"
	"github.com/etcd-backupd/etcd-backupd/notify"
	"github.com/etcd-backupd/etcd-backupd/prune"
	"github.com/etcd-backupd/etcd-backupd/spool"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// Config is what the daemon's jobs do; package config translates the config file into it.
type Config struct {
	Cluster string
	// Backup are the backup's options; New sets the destinations and the logger.
	Backup backup.Options
	// Retention, when set, is applied after every backup committed everywhere.
	Retention *prune.Options
	// BackupSchedule fires the backup job; DrillSchedule the drill job (nil: no drills).
	BackupSchedule, DrillSchedule cron.Schedule
	// Drill are the drills' options; New sets the catalog of each destination and the logger. Its
	// Identity, when set, also decrypts the backup that maintenance takes first.
	Drill verify.Options
	// Maintain are the options of maintenance (its backup hook is set by New); MaintainSchedule fires
	// it (nil: only on demand), and RemediateNoSpace runs the NOSPACE runbook when the alarm is raised.
	Maintain         maintain.Options
	MaintainSchedule cron.Schedule
	RemediateNoSpace bool
	// Journal, when set, records every event on the elected daemon (continuous backup); New sets
	// its observer and logger.
	Journal *journal.Options
	// HA, when set, runs the jobs only on the elected daemon.
	HA     *HA
	Listen string // "" serves no HTTP
}

// Deps are what the jobs work on, opened by the caller, who closes them.
type Deps struct {
	Etcd         *cluster.Client
	Destinations *catalog.Set
	Notifier     *notify.Notifier // nil sends no notification
	Logger       *zap.Logger
}

// Daemon owns the scheduled jobs. New jobs register in jobs.
type Daemon struct {
	cfg      Config
	deps     Deps
	Metrics  *Metrics
	Backup   *BackupJob
	Drill    *DrillJob // nil without a drill schedule
	Maintain *MaintainJob
	Journal  *JournalJob // nil without the journal
	lead     *leadership
}

// New builds the jobs.
func New(c Config, d Deps) *Daemon {
	if c.Backup.Recipients == nil {
		d.Logger.Warn("encryption is disabled: backups are stored in plaintext")
	}
	if c.Retention == nil {
		d.Logger.Info("retention is off on this node: its jobs delete nothing; " +
			"run prune from a host whose credentials may delete")
	}
	m := NewMetrics(c.Cluster)
	a := newAlerter(d.Notifier, c.Cluster, d.Logger)
	dm := &Daemon{cfg: c, deps: d, Metrics: m, Backup: newBackupJob(c, d, m, a)}
	if c.DrillSchedule != nil {
		dm.Drill = newDrillJob(c, d, m, a)
	}
	dm.Maintain = newMaintainJob(c, d, m, a, dm.Backup)
	if c.Journal != nil {
		dm.Journal = newJournalJob(c, d, m, a, dm.Backup)
	}
	if c.HA != nil {
		dm.lead = newLeadership(d.Etcd, *c.HA, c.Cluster, m)
		dm.Backup.leading = dm.lead.leading.Load
		if dm.Drill != nil {
			dm.Drill.leading = dm.lead.leading.Load
		}
		dm.Maintain.leading = dm.lead.leading.Load
	}
	return dm
}

// jobs are the scheduled jobs.
func (dm *Daemon) jobs() []Job {
	jobs := []Job{{Name: "backup", Schedule: dm.cfg.BackupSchedule, Run: func(ctx context.Context) error {
		_, err := dm.Backup.Run(ctx)
		return err
	}}}
	if dm.Drill != nil {
		jobs = append(jobs, Job{Name: "drill", Schedule: dm.cfg.DrillSchedule, Run: dm.Drill.Run})
	}
	if dm.cfg.MaintainSchedule != nil {
		jobs = append(jobs, Job{Name: "maintain", Schedule: dm.cfg.MaintainSchedule, Run: dm.Maintain.Scheduled})
	}
	if dm.cfg.RemediateNoSpace {
		jobs = append(jobs, Job{Name: "nospace", Schedule: cron.Every(noSpaceCheck), Run: dm.Maintain.WatchNoSpace})
	}
	return jobs
}

// noSpaceCheck is how often the daemon looks for a NOSPACE alarm when it remediates them.
const noSpaceCheck = 30 * time.Second

// Run clears the spool of what a crash left, seeds the last-success gauges from the destinations,
// then schedules the jobs until stop is cancelled (see the package's Run). ready is called once the
// scheduler and the HTTP server run.
func (dm *Daemon) Run(stop, abort context.Context, ready func(httpAddr string)) error {
	lg := dm.deps.Logger
	if err := clearSpool(dm.cfg.Backup.SpoolDir, lg); err != nil {
		return err
	}
	if err := dm.Metrics.Seed(stop, dm.deps.Destinations); err != nil {
		lg.Warn("read the last backup and drill times", zap.Error(err))
	}
	o := Options{Jobs: dm.jobs(), Listen: dm.cfg.Listen, Metrics: dm.Metrics, Logger: lg.Named("daemon"),
		Ready: ready,
		Poll: func(ctx context.Context) cluster.Gauges {
			g, _ := dm.deps.Etcd.Poll(ctx)
			return g
		}}
	if dm.lead != nil {
		o.Elect = dm.lead.elect
	}
	if dm.Journal != nil {
		o.Services = append(o.Services, dm.Journal.Run)
	}
	return Run(stop, abort, o)
}

// clearSpool removes what a crash left in the spool.
func clearSpool(dir string, lg *zap.Logger) error {
	s, removed, err := spool.Open(dir)
	if err != nil {
		return err
	}
	for _, f := range removed {
		lg.Warn("removed spool leftover", zap.String("file", f.Path))
	}
	return s.Close()
}
