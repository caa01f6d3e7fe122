package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/prune"
)

// printPrune prints a prune result: a table per destination, or the result as JSON.
func printPrune(w io.Writer, output string, res *prune.Result) error {
	if output == outJSON {
		return writeJSON(w, res)
	}
	for i, r := range res.Destinations {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := printPruneReport(w, r); err != nil {
			return err
		}
	}
	if len(res.Spool) > 0 {
		fmt.Fprintln(w)
		if err := printSwept(w, res.Spool, len(res.Destinations) > 0 && res.Destinations[0].DryRun); err != nil {
			return err
		}
	}
	if res.SpoolWarning != "" {
		fmt.Fprintf(w, "spool not swept: %s\n", res.SpoolWarning)
	}
	return nil
}

func printPruneReport(w io.Writer, r *prune.Report) error {
	fmt.Fprintf(w, "DESTINATION %s\nPOLICY      %s\n", r.Destination, r.Policy)
	tw := newTable(w)
	fmt.Fprintln(tw, "ID\tTIME\tACTION\tREASONS")
	for _, row := range r.Backups {
		act := action(row.Keep, row.Deleted)
		if row.LockedUntil != nil {
			act = "LOCKED until " + row.LockedUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row.ID, row.Time.UTC().Format(time.RFC3339),
			act, strings.Join(row.Reasons, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Swept) > 0 {
		if err := printSwept(w, r.Swept, r.DryRun); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, summary(r))
	if r.Error != "" {
		fmt.Fprintf(w, "FAILED: %s\n", r.Error)
	}
	return nil
}

func printSwept(w io.Writer, sw []prune.Swept, dryRun bool) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "SWEPT\tMODIFIED\tACTION\tKEY")
	for _, s := range sw {
		mod := "-"
		if !s.ModTime.IsZero() {
			mod = s.ModTime.UTC().Format(time.RFC3339)
		}
		act := action(false, s.Deleted)
		switch {
		case s.LockedUntil != nil:
			act = "LOCKED until " + s.LockedUntil.UTC().Format(time.RFC3339)
		case !s.Deleted && !dryRun:
			act = "LEFT"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Kind, mod, act, s.Key)
	}
	return tw.Flush()
}

func action(keep, deleted bool) string {
	switch {
	case keep:
		return "KEEP"
	case deleted:
		return "REMOVED"
	default:
		return "REMOVE"
	}
}

func summary(r *prune.Report) string {
	removed, swept := len(r.Removed()), len(r.Swept)
	if r.DryRun {
		return fmt.Sprintf("dry run: would delete %d of %d backups and sweep %s; nothing was deleted",
			removed, len(r.Backups), objects(swept))
	}
	n := 0
	for _, s := range r.Swept {
		if s.Deleted {
			n++
		}
	}
	return fmt.Sprintf("deleted %d of %d backups, swept %s", r.Deleted, len(r.Backups), objects(n))
}

func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}
