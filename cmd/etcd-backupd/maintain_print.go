package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/etcd-backupd/etcd-backupd/maintain"
)

func printMaintenance(w io.Writer, output string, r *maintain.Report) error {
	if output == outJSON {
		return writeJSON(w, r)
	}
	what := "Defragmentation"
	if r.Kind == "nospace" {
		what = "NOSPACE recovery"
	}
	if r.DryRun {
		what += " plan (dry run: nothing changed)"
	}
	fmt.Fprintf(w, "%s, %.1fs\n", what, r.DurationSeconds)
	for _, why := range r.Refused {
		fmt.Fprintf(w, "  refused: %s\n", why)
	}
	if r.BackupTaken {
		fmt.Fprintln(w, "  backup:   taken and read back at every destination")
	}
	if r.CompactedRevision > 0 {
		fmt.Fprintf(w, "  compacted to revision %d\n", r.CompactedRevision)
	}
	if r.LeaderMovedFrom != "" {
		fmt.Fprintf(w, "  leadership moved from %s to %s\n", r.LeaderMovedFrom, r.LeaderMovedTo)
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "MEMBER\tENDPOINT\tROLE\tPLANNED\tBEFORE\tIN USE\tAFTER\tRECLAIMED\tUNAVAILABLE\tREASON")
	for _, m := range r.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(m.Name), m.Endpoint, role(m),
			yesNo(m.Planned), humanize.IBytes(uint64(m.DBSizeBefore)), humanize.IBytes(uint64(m.InUseBefore)),
			sizeOrDash(m.DBSizeAfter), sizeOrDash(m.ReclaimedBytes), secondsOrDash(m.UnavailableSeconds, m.Defragmented),
			reasonCell(m))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !r.DryRun && len(r.Refused) == 0 {
		fmt.Fprintf(w, "Reclaimed %s in all; the longest a member was unavailable: %.2fs\n",
			humanize.IBytes(uint64(r.ReclaimedBytes)), r.MaxUnavailable)
	}
	return printNoSpace(w, r.NoSpace)
}

func printNoSpace(w io.Writer, n *maintain.NoSpaceReport) error {
	if n == nil {
		return nil
	}
	state := "still raised"
	if n.Disarmed {
		state = "disarmed"
	}
	fmt.Fprintf(w, "NOSPACE on %s: %s\n", strings.Join(n.Alarmed, ", "), state)
	if len(n.LargestPrefixes) == 0 {
		return nil
	}
	fmt.Fprintln(w, "Largest key prefixes:")
	tw := newTable(w)
	fmt.Fprintln(tw, "PREFIX\tKEYS\tSIZE")
	for _, p := range n.LargestPrefixes {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", p.Prefix, p.Keys, humanize.IBytes(uint64(p.Bytes)))
	}
	return tw.Flush()
}

func role(m maintain.MemberReport) string {
	if m.WasLeader {
		return "leader"
	}
	return "follower"
}

func reasonCell(m maintain.MemberReport) string {
	if m.Error != "" {
		return "ERROR: " + m.Error
	}
	return m.Reason
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func sizeOrDash(n int64) string {
	if n == 0 {
		return "-"
	}
	return humanize.IBytes(uint64(n))
}

func secondsOrDash(s float64, done bool) string {
	if !done {
		return "-"
	}
	return fmt.Sprintf("%.2fs", s)
}
