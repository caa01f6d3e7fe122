package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

func newListCmd(g *globals) *cobra.Command {
	var (
		output string
		strict bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the committed backups at every destination, newest first",
		Long: "list shows every committed backup at every destination. A backup whose manifest cannot be " +
			"trusted is shown as DAMAGED with the reason; a destination that cannot be read is reported after " +
			"the others (exit 1). With --strict a damaged manifest exits 1 too.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			return g.list(cmd.Context(), output, strict)
		},
	}
	addOutputFlag(cmd, &output)
	cmd.Flags().BoolVar(&strict, "strict", false, "exit 1 when a manifest is damaged")
	return cmd
}

func (g *globals) list(ctx context.Context, output string, strict bool) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	found, err := a.dests.List(ctx)
	rows := make([]listed, len(found))
	damaged := 0
	for i, l := range found {
		rows[i] = listedRow(l)
		if l.Damaged != nil {
			damaged++
		}
	}
	if perr := printListed(g.stdout, output, rows); perr != nil {
		return perr
	}
	if strict && damaged > 0 {
		err = errors.Join(err, fmt.Errorf("list: %d damaged manifest(s)", damaged))
	}
	return err
}

func listedRow(l catalog.Listed) listed {
	r := listed{Destination: l.Destination, Manifest: l.Manifest, LastDrill: l.LastDrill}
	if l.Damaged != nil {
		r.Damaged = &damagedRow{ID: l.Damaged.ID, Error: l.Damaged.Err.Error()}
	}
	return r
}
