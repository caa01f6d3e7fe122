package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/daemon"
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
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	stop, abort := signalContexts(ctx, a.lg)
	if err := a.openStores(ctx); err != nil {
		return err
	}
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
	sched, _, err := config.ParseSchedule(a.cfg.Schedule.Backup)
	if err != nil {
		return usageError{err}
	}
	jobs := []daemon.Job{{Name: "backup", Schedule: sched, Run: func(ctx context.Context) error {
		_, err := svc.BackupAndPrune(ctx)
		return err
	}}}
	m.Leader.Set(1)
	return daemon.Run(stop, abort, daemon.Options{
		Jobs: jobs, Listen: a.cfg.HTTP.Listen, Metrics: m, Logger: a.lg.Named("daemon"),
	})
}

// clearSpool removes plaintext left in the spool by a crash.
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
		cancelStop()
		s = <-sigs
		lg.Warn("second signal: aborting", zap.String("signal", s.String()))
		cancelAbort()
	}()
	return stop, abort
}
