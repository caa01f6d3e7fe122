package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

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
	dc, err := a.cfg.DaemonConfig()
	if err != nil {
		return err
	}
	no, err := a.cfg.NotifyOptions()
	if err != nil {
		return err
	}
	no.Logger = a.lg
	return a.daemon(dc, notify.New(no)).Run(stop, abort, func(string) { notifyReady(stop, a.lg) })
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
