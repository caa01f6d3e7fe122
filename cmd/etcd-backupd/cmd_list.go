package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newListCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the committed backups at every destination, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			return g.list(cmd.Context(), output)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func (g *globals) list(ctx context.Context, output string) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	var rows []listed
	for _, c := range a.cats {
		ms, err := c.List(ctx)
		if err != nil {
			return err
		}
		drills, err := c.LastDrills(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			rows = append(rows, listed{Destination: c.Store.String(), Manifest: m, LastDrill: drills[m.ID]})
		}
	}
	return printListed(g.stdout, output, rows)
}
