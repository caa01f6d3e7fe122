package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// verifyJournal verifies the journal at every destination (or --from), and prints one report each.
func (g *globals) verifyJournal(ctx context.Context, from, output string, deep bool) error {
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	o, set, err := g.openJournal(ctx, a, from, deep)
	if err != nil {
		return err
	}
	var reps []*verify.JournalReport
	var errs []error
	for _, c := range set.All() {
		o.Catalog = c
		rep, err := verify.VerifyJournal(ctx, o, deep)
		reps = append(reps, rep)
		errs = append(errs, err)
	}
	if output == outJSON {
		if err := writeJSON(g.stdout, reps); err != nil {
			return err
		}
	} else {
		for i, r := range reps {
			printJournalReport(g.stdout, r, errs[i])
		}
	}
	return errors.Join(errs...)
}

func printJournalReport(w io.Writer, r *verify.JournalReport, err error) {
	verdict := "OK"
	if err != nil {
		verdict = "FAILED: " + err.Error()
	}
	fmt.Fprintf(w, "Journal at %s: %s\n  segments  %d", r.Destination, verdict, r.Segments)
	if !r.Decoded {
		fmt.Fprint(w, " (stored checksums only: no private key)")
	}
	fmt.Fprintln(w)
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "  gap       revisions %d to %d are not journaled\n", g.From, g.To)
	}
	if d := r.Deep; d != nil {
		fmt.Fprintf(w, "  replayed  %d revisions (%d events) from backup %s to revision %d, equal to backup %s\n",
			d.Revisions, d.Events, d.From, d.Revision, d.To)
	}
}
