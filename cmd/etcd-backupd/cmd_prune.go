package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/prune"
)

func newPruneCmd(g *globals) *cobra.Command {
	var (
		output string
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Apply retention at every destination and say why each backup is kept or removed",
		Long: "Apply the retention policy at every destination, on what that destination holds, and sweep\n" +
			"data objects without a manifest, unfinished writes and spool files left by a crash.\n" +
			"The newest backup and the newest verified backup are never removed.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.prune(ctx, dryRun, output)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be deleted and delete nothing")
	addOutputFlag(cmd, &output)
	return cmd
}

func (g *globals) prune(ctx context.Context, dryRun bool, output string) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.cfg.PruneOptions(dryRun)
	if err != nil {
		return err
	}
	o.Logger = a.lg.Named("prune")
	res, err := prune.RunAll(ctx, a.dests, o)
	if perr := printPrune(g.stdout, output, res); perr != nil {
		return perr
	}
	return err
}
