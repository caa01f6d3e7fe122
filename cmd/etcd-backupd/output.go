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
	"github.com/etcd-backupd/etcd-backupd/journal"
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

// newTable returns the writer of every table the CLI prints.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

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
	Damaged   *damagedRow    `json:"damaged,omitempty"` // the manifest cannot be trusted; no other field is set
	Error     string         `json:"error,omitempty"`   // run-once: this destination did not commit
	// Journal, on a row of its own after a destination's backups: its point-in-time windows.
	Journal *journal.Summary `json:"journal,omitempty"`
}

// damagedRow is a committed backup whose manifest cannot be trusted.
type damagedRow struct {
	ID    string `json:"id"`
	Error string `json:"error"`
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
	tw := newTable(w)
	fmt.Fprintln(tw, "ID\tTIME\tREVISION\tKEYS\tSIZE\tSTORED\tVERIFIED\tDESTINATION")
	var notes []string
	var journals []listed
	for _, r := range rows {
		m := r.Manifest
		switch {
		case r.Journal != nil:
			journals = append(journals, r)
		case r.Damaged != nil:
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tDAMAGED\t%s\n", r.Damaged.ID, orDash(r.Destination))
			notes = append(notes, fmt.Sprintf("%s at %s: %s", r.Damaged.ID, r.Destination, r.Damaged.Error))
		case r.Error != "":
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tFAILED\t%s\n", m.ID, orDash(r.Destination))
			notes = append(notes, fmt.Sprintf("%s at %s: %s", m.ID, r.Destination, r.Error))
		default:
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.UTC().Format(time.RFC3339),
				m.Snapshot.Revision, m.Snapshot.TotalKeys, humanize.IBytes(uint64(m.Snapshot.Size)),
				humanize.IBytes(uint64(m.Object.Size)), drillCell(r.LastDrill), orDash(r.Destination))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(w, "\n%s", n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	return printJournals(w, journals)
}

// printJournals prints each destination's point-in-time windows and gaps.
func printJournals(w io.Writer, rows []listed) error {
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nPoint-in-time windows (restore --to-revision or --to-time):")
	tw := newTable(w)
	fmt.Fprintln(tw, "FROM REVISION\tFROM TIME\tTO REVISION\tTO TIME\tBASE BACKUP\tDESTINATION")
	var gaps []string
	for _, r := range rows {
		s := r.Journal
		for _, win := range s.Windows {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", win.FromRevision, win.FromTime.UTC().Format(time.RFC3339),
				win.ToRevision, win.ToTime.UTC().Format(time.RFC3339), win.Base, r.Destination)
		}
		if len(s.Windows) == 0 {
			fmt.Fprintf(tw, "-\t-\t-\t-\tnone: no backup before the journal\t%s\n", r.Destination)
		}
		for _, g := range s.Gaps {
			gaps = append(gaps, fmt.Sprintf("gap at %s: revisions %d to %d are not journaled", r.Destination, g.From, g.To))
		}
		gaps = append(gaps, fmt.Sprintf("%s: %d segments, %s", r.Destination, s.Segments, humanize.IBytes(uint64(s.Bytes))))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range gaps {
		fmt.Fprintln(w, g)
	}
	return nil
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
