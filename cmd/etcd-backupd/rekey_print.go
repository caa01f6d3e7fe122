package main

import (
	"fmt"
	"io"
	"strings"
)

// rekeyRow is one backup rekeyed at one destination.
type rekeyRow struct {
	Destination string   `json:"destination"`
	OldID       string   `json:"old_id"`
	NewID       string   `json:"new_id,omitempty"`   // set once the new backup is committed
	Recipients  []string `json:"recipients"`         // the new recipients' fingerprints
	Verified    string   `json:"verified,omitempty"` // "stored" (size and sha256) or "quick"
	Skipped     string   `json:"skipped,omitempty"`  // why nothing was done
	Error       string   `json:"error,omitempty"`    // why it failed; the old backup is kept unless said
}

func printRekeyed(w io.Writer, output string, rows []rekeyRow) error {
	if output == outJSON {
		if rows == nil {
			rows = []rekeyRow{}
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

func rekeyResult(r rekeyRow) string {
	switch {
	case r.Error != "":
		return "FAILED"
	case r.Skipped != "":
		return "skipped: " + r.Skipped
	}
	return "ok, verified " + r.Verified
}
