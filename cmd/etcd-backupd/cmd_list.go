package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
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
	journals, jerr := journalRows(ctx, a, found)
	err = errors.Join(err, jerr)
	if perr := printListed(g.stdout, output, append(rows, journals...)); perr != nil {
		return perr
	}
	if strict && damaged > 0 {
		err = errors.Join(err, fmt.Errorf("list: %d damaged manifest(s)", damaged))
	}
	return err
}

// journalRows are one row per destination whose journal holds segments: its point-in-time windows
// and gaps, against the backups listed there.
func journalRows(ctx context.Context, a *app, found []catalog.Listed) ([]listed, error) {
	var rows []listed
	var errs []error
	for _, c := range a.dests.All() {
		dest := c.Store.String()
		var ms []*catalog.Manifest
		for _, l := range found {
			if l.Destination == dest && l.Manifest != nil {
				ms = append(ms, l.Manifest)
			}
		}
		s, err := journal.New(c.Store, c.Layout.Cluster).Summarize(ctx, ms)
		if err != nil {
			errs = append(errs, fmt.Errorf("journal at %s: %w", dest, err))
			continue
		}
		if s.Segments > 0 {
			rows = append(rows, listed{Destination: dest, Journal: s})
		}
	}
	return rows, errors.Join(errs...)
}

func listedRow(l catalog.Listed) listed {
	r := listed{Destination: l.Destination, Manifest: l.Manifest, LastDrill: l.LastDrill}
	if l.Damaged != nil {
		r.Damaged = &damagedRow{ID: l.Damaged.ID, Error: l.Damaged.Err.Error()}
	}
	return r
}
