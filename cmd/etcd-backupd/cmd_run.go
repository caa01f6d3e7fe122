package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/notify"
)

func newRunCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: scheduled backups and retention, drills, metrics",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return g.run(cmd.Context()) },
	}
}

func (g *globals) run(ctx context.Context) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	stop, abort := signalContexts(ctx, a.lg)
	if err := a.openEtcd(); err != nil {
		return err
	}
	m := daemon.NewMetrics(a.cfg.ClusterName)
	svc, err := a.service(m)
	if err != nil {
		return err
	}
	if err := clearSpool(a); err != nil {
		return err
	}
	no, err := a.cfg.NotifyOptions()
	if err != nil {
		return usageError{err}
	}
	no.Logger = a.lg
	svc.Notifier = notify.New(no)
	if err := m.Seed(ctx, a.cats); err != nil {
		a.lg.Warn("read the last backup and drill times", zap.Error(err))
	}
	sched, _, err := config.ParseSchedule(a.cfg.Schedule.Backup)
	if err != nil {
		return usageError{err}
	}
	jobs := []daemon.Job{{Name: "backup", Schedule: sched, Run: func(ctx context.Context) error {
		_, err := svc.BackupAndPrune(ctx)
		return err
	}}}
	if a.cfg.Schedule.Verify != "" {
		vsched, _, err := config.ParseSchedule(a.cfg.Schedule.Verify)
		if err != nil {
			return usageError{err}
		}
		if svc.Drill, err = a.drillRunner(); err != nil {
			return err
		}
		jobs = append(jobs, daemon.Job{Name: "drill", Schedule: vsched, Run: svc.DrillJob})
	}
	o := daemon.Options{Jobs: jobs, Listen: a.cfg.HTTP.Listen, Metrics: m, Logger: a.lg.Named("daemon"),
		Ready: func(string) { notifyReady(stop, a.lg) },
		Poll: func(ctx context.Context) cluster.Gauges {
			g, _ := a.etcd.Poll(ctx)
			return g
		}}
	if a.cfg.HA.Enabled {
		o.Elect = a.elect(m, svc)
	}
	return daemon.Run(stop, abort, o)
}

// elect makes the daemon campaign under <ha.prefix><cluster_name>/leader and run the jobs only while it leads.
func (a *app) elect(m *daemon.Metrics, svc *daemon.Service) func(context.Context, func(context.Context)) {
	var leading atomic.Bool
	svc.Leading = leading.Load
	host, _ := os.Hostname()
	eo := cluster.ElectionOptions{
		Key:      a.cfg.HA.Prefix + a.cfg.ClusterName + "/leader",
		TTL:      a.cfg.HA.TTL.D(),
		Identity: fmt.Sprintf("%s/%d", host, os.Getpid()),
		OnChange: func(l bool) {
			leading.Store(l)
			m.LeaderChanges.Inc()
			if l {
				m.Leader.Set(1)
			} else {
				m.Leader.Set(0)
			}
		},
	}
	return func(ctx context.Context, lead func(context.Context)) { a.etcd.Lead(ctx, eo, lead) }
}

// clearSpool removes what a crash left in the spool.
func clearSpool(a *app) error {
	s, removed, err := backup.OpenSpool(a.cfg.SpoolDir)
	if err != nil {
		return err
	}
	for _, p := range removed {
		a.lg.Warn("removed spool leftover", zap.String("file", p))
	}
	return s.Close()
}

// signalContexts returns stop, cancelled by the first SIGINT or SIGTERM, and abort, by the second.
func signalContexts(ctx context.Context, lg *zap.Logger) (stop, abort context.Context) {
	stop, cancelStop := context.WithCancel(ctx)
	abort, cancelAbort := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sigs
		lg.Info("signal received: stopping gracefully; send it again to abort", zap.String("signal", s.String()))
		notifyStopping()
		cancelStop()
		s = <-sigs
		lg.Warn("second signal: aborting", zap.String("signal", s.String()))
		cancelAbort()
	}()
	return stop, abort
}
