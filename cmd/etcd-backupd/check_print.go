package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/etcd-backupd/etcd-backupd/check"
)

// printReport writes a check report as tables and a list of findings, or as JSON.
func printReport(w io.Writer, output string, r *check.Report) error {
	if output == outJSON {
		return writeJSON(w, r)
	}
	fmt.Fprintf(w, "Cluster %s, checked at %s\n\n", r.Cluster, r.CheckedAt.Format(time.RFC3339))
	if err := printMembers(w, r.Members); err != nil {
		return err
	}
	if err := printDestinations(w, r.Destinations); err != nil {
		return err
	}
	printFindings(w, r.Findings)
	printRunbook(w, r.Runbook)
	fmt.Fprintf(w, "Result: %s (%d critical, %d warning(s), %d ok)\n", strings.ToUpper(r.Result.String()),
		check.Count(r.Findings, check.Critical), check.Count(r.Findings, check.Warn), check.Count(r.Findings, check.OK))
	return nil
}

func printMembers(w io.Writer, ms []check.MemberRow) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "ENDPOINT\tNAME\tID\tLEADER\tTERM\tRAFT INDEX\tAPPLIED\tDB SIZE\tIN USE\tQUOTA %\tVERSION\tERRORS")
	for _, m := range ms {
		if m.Version == "" && !m.Answers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t%s\n", m.Endpoint, orDash(m.Name), m.ID, errCell(m.Errors))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%d\t%d\t%s\t%s\t%.1f%%\t%s\t%s\n", m.Endpoint, orDash(m.Name), m.ID,
			m.Leader, m.RaftTerm, m.RaftIndex, m.AppliedIndex, humanize.IBytes(uint64(m.DBSize)),
			humanize.IBytes(uint64(m.DBSizeInUse)), m.QuotaPercent, m.Version, errCell(m.Errors))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func printDestinations(w io.Writer, ds []check.DestinationRow) error {
	if len(ds) == 0 {
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "DESTINATION\tPROBE\tBACKUPS\tNEWEST\tLAST DRILL")
	for _, d := range ds {
		probe := d.Probe
		if probe != "ok" && probe != check.ProbeNoDelete {
			probe = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", d.URL, probe, d.Backups, orDash(d.Newest), orDash(d.LastDrill))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func printFindings(w io.Writer, fs []check.Finding) {
	fmt.Fprintln(w, "FINDINGS")
	for _, f := range fs {
		fmt.Fprintf(w, "%-8s  %s: %s\n", strings.ToUpper(f.Severity.String()), f.Subject, f.Message)
		if f.Action != "" {
			fmt.Fprintf(w, "%-8s  -> %s\n", "", f.Action)
		}
	}
	fmt.Fprintln(w)
}

func printRunbook(w io.Writer, steps []check.RunbookStep) {
	if len(steps) == 0 {
		return
	}
	fmt.Fprintln(w, "NOSPACE RUNBOOK: run these commands in order, in one shell, from a host that reaches every member")
	for i, s := range steps {
		fmt.Fprintf(w, "%d. %s\n", i+1, s.Title)
		for _, c := range s.Commands {
			fmt.Fprintf(w, "   %s\n", c)
		}
	}
	fmt.Fprintln(w)
}

// errCell joins a member's errors for the table, on one line.
func errCell(errs []string) string {
	out := check.ErrorSummary(errs)
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, "; ")
}
