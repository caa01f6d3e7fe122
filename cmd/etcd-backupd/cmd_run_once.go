package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/daemon"
)

func newRunOnceCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "run-once",
		Short: "Take one backup now, then apply retention; exit 0 only if it was committed everywhere",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.runOnce(ctx, output)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func (g *globals) runOnce(ctx context.Context, output string) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.openEtcd(); err != nil {
		return err
	}
	svc, err := a.service(daemon.NewMetrics(a.cfg.ClusterName))
	if err != nil {
		return err
	}
	res, err := svc.BackupAndPrune(ctx)
	logPeakMemory(a.lg)
	if res != nil && res.Manifest != nil {
		if perr := printManifests(g.stdout, output, res.Manifest); perr != nil {
			return perr
		}
	}
	if err != nil {
		return err
	}
	return nil
}

// logPeakMemory logs the peak resident memory of this process.
func logPeakMemory(lg *zap.Logger) {
	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	lg.Info("peak memory", zap.Int64("rss_mb", self.Maxrss>>10))
}
