package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/rekey"
)

func printRekeyed(w io.Writer, output string, rows []rekey.Row) error {
	if output == outJSON {
		if rows == nil {
			rows = []rekey.Row{}
		}
		return writeJSON(w, rows)
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "OLD ID\tNEW ID\tRECIPIENTS\tRESULT\tDESTINATION")
	var notes []string
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.OldID, orDash(r.NewID), strings.Join(r.Recipients, ","),
			rekeyResult(r), orDash(r.Destination))
		if r.Error != "" {
			notes = append(notes, r.Error)
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
	return nil
}

func rekeyResult(r rekey.Row) string {
	switch {
	case r.Error != "":
		return "FAILED"
	case r.Skipped != "":
		return "skipped: " + r.Skipped
	case r.Kept != "":
		return "ok, verified " + r.Verified + "; " + r.Kept
	}
	return "ok, verified " + r.Verified
}
