package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

var stepOrder = []string{verify.StepDownload, verify.StepStatus, verify.StepRestore, verify.StepStart,
	verify.StepCompare, verify.StepTotal}

// printDrill shows the outcome of one verification.
func printDrill(w io.Writer, output, dest string, m *catalog.Manifest, d *catalog.Drill) error {
	if output == outJSON {
		return writeJSON(w, drillOutput{Destination: dest, Drill: d, Manifest: m})
	}
	tw := newTable(w)
	result := "ok"
	if !d.OK {
		result = "FAILED"
	}
	fmt.Fprintf(tw, "backup\t%s\n", d.BackupID)
	fmt.Fprintf(tw, "destination\t%s\n", dest)
	fmt.Fprintf(tw, "check\t%s\n", d.Mode)
	fmt.Fprintf(tw, "result\t%s\n", result)
	fmt.Fprintf(tw, "steps\t%s\n", formatSteps(d.Steps, stepOrder))
	fmt.Fprintf(tw, "stored\t%s\n", sizePair(m.Object.Size, d.Figures["stored_bytes"]))
	fmt.Fprintf(tw, "snapshot\t%s\n", sizePair(m.Snapshot.Size, d.Figures["snapshot_bytes"]))
	if d.Mode == catalog.ModeDeep {
		fmt.Fprintf(tw, "revision\t%d in the manifest, %s served\n", m.Snapshot.Revision, figure(d, "served_revision"))
		fmt.Fprintf(tw, "keys\t%d in the manifest, %s served\n", m.Snapshot.TotalKeys, figure(d, "served_keys"))
		if m.Kit != nil {
			fmt.Fprintf(tw, "kit\t%s files; %s of %s Secrets decrypted with its EncryptionConfiguration (%s by KMS, not checkable offline)\n",
				figure(d, "kit_files"), figure(d, "kit_secrets_decrypted"), figure(d, "kit_secrets_checked"), figure(d, "kit_secrets_kms"))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printResources(w, d.Figures)
}

// printResources lists the keys per Kubernetes resource, most first.
func printResources(w io.Writer, figures map[string]int64) error {
	type row struct {
		res string
		n   int64
	}
	var rows []row
	for k, n := range figures {
		if res, ok := strings.CutPrefix(k, "registry/"); ok {
			rows = append(rows, row{res, n})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].n > rows[j].n || rows[i].n == rows[j].n && rows[i].res < rows[j].res
	})
	width := len(fmt.Sprint(rows[0].n))
	_, err := fmt.Fprintln(w, "\nkeys per Kubernetes resource (/registry/<resource>/):")
	for _, r := range rows {
		_, err = fmt.Fprintf(w, "  %*d  %s\n", width, r.n, r.res)
	}
	return err
}

// formatSteps renders step durations in the given order, then any others.
func formatSteps(steps map[string]float64, order []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range order {
		if v, ok := steps[s]; ok {
			parts = append(parts, fmt.Sprintf("%s %.2fs", s, v))
			seen[s] = true
		}
	}
	var rest []string
	for s := range steps {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	sort.Strings(rest)
	for _, s := range rest {
		parts = append(parts, fmt.Sprintf("%s %.2fs", s, steps[s]))
	}
	return strings.Join(parts, ", ")
}

func sizePair(manifest, got int64) string {
	return fmt.Sprintf("%s in the manifest, %s read", humanize.IBytes(uint64(manifest)), humanize.IBytes(uint64(got)))
}

func figure(d *catalog.Drill, name string) string {
	if v, ok := d.Figures[name]; ok {
		return fmt.Sprint(v)
	}
	return "none"
}
