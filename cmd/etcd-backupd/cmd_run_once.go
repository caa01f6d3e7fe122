package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
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
	a, d, err := g.openJobs(ctx, (*config.Config).BackupJobConfig, false)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := d.Backup.Run(ctx)
	logPeakMemory(a.lg)
	if res != nil && res.Manifest != nil {
		if perr := printListed(g.stdout, output, committedRows(res)); perr != nil {
			return perr
		}
	}
	return err
}

// committedRows is one row per destination of the backup res made: committed, or why not.
func committedRows(res *backup.Result) []listed {
	rows := make([]listed, len(res.Dests))
	for i, d := range res.Dests {
		rows[i] = listed{Destination: d.URL, Manifest: res.Manifest}
		if d.Err != nil {
			rows[i].Error = d.Err.Error()
		}
	}
	return rows
}

// logPeakMemory logs the peak resident memory of this process.
func logPeakMemory(lg *zap.Logger) {
	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	lg.Info("peak memory", zap.Int64("rss_mb", self.Maxrss>>10))
}
