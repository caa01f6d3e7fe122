package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with the config file"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Check the config file; exit 2 and name each bad field",
		Long: `Checks the config file and every file it names; exit 2 names each bad field. With object_lock
set on a destination, it also asks the bucket whether object lock is enabled (exit 1 if not).`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := cfg.CheckLocks(context.Background(), zap.NewNop()); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: ok\n", g.configPath)
			return nil
		},
	})
	return cmd
}
