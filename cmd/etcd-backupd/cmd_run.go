package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
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
	a, d, err := g.openJobs(ctx, (*config.Config).DaemonConfig, true)
	if err != nil {
		return err
	}
	defer a.Close()
	stop, abort := signalContexts(ctx, a.lg)
	return d.Run(stop, abort, func(string) { notifyReady(stop, a.lg) })
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
