package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

const (
	outTable = "table"
	outJSON  = "json"
)

func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "write-out", "w", outTable, "output format: table or json")
}

// writeJSON writes v as indented JSON, the machine-readable output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func checkOutput(output string) error {
	if output != outTable && output != outJSON {
		return usageError{fmt.Errorf("--write-out: %q is not table or json", output)}
	}
	return nil
}

// listed is one committed backup at one destination.
type listed struct {
	Destination string `json:"destination"`
	*catalog.Manifest
	LastDrill *catalog.Drill `json:"last_drill,omitempty"`
}

func printManifests(w io.Writer, output string, ms ...*catalog.Manifest) error {
	rows := make([]listed, len(ms))
	for i, m := range ms {
		rows[i] = listed{Manifest: m}
	}
	return printListed(w, output, rows)
}

func printListed(w io.Writer, output string, rows []listed) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	if output == outJSON {
		if rows == nil {
			rows = []listed{}
		}
		return writeJSON(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tREVISION\tKEYS\tSIZE\tSTORED\tVERIFIED\tDESTINATION")
	for _, r := range rows {
		m := r.Manifest
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.UTC().Format(time.RFC3339),
			m.Snapshot.Revision, m.Snapshot.TotalKeys, humanize.IBytes(uint64(m.Snapshot.Size)),
			humanize.IBytes(uint64(m.Object.Size)), drillCell(r.LastDrill), orDash(r.Destination))
	}
	return tw.Flush()
}

func drillCell(d *catalog.Drill) string {
	if d == nil {
		return "never"
	}
	res := "ok"
	if !d.OK {
		res = "FAILED"
	}
	return fmt.Sprintf("%s %s %s", res, d.Mode, d.StartedAt.UTC().Format("2006-01-02"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
