package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with the config file"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Check the config file; exit 2 and name each bad field",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := g.loadConfig(); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: ok\n", g.configPath)
			return nil
		},
	})
	return cmd
}
