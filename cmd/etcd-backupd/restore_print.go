package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/runbook"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// restoreOutput is what restore prints: the result, a recommendation and every member's command.
type restoreOutput struct {
	*verify.RestoreResult
	Destination string      `json:"destination"`
	Kit         *kitWritten `json:"kit,omitempty"` // with --kit-dir
	runbook.Restore
}

func newRestoreOutput(res *verify.RestoreResult, dest, configFlag string) *restoreOutput {
	return &restoreOutput{RestoreResult: res, Destination: dest, Restore: runbook.ForRestore(res, configFlag)}
}

// restoreConfigFlag is the --config to repeat on the other members, "" for the default path.
func (g *globals) restoreConfigFlag() string {
	if g.configPath == config.DefaultPath {
		return ""
	}
	if abs, err := filepath.Abs(g.configPath); err == nil {
		return abs
	}
	return g.configPath
}

func (o *restoreOutput) print(w io.Writer) error {
	r := o.RestoreResult
	fmt.Fprintf(w, "Restored backup %s from %s into %s\n", r.BackupID, o.Destination, r.DataDir)
	if p := r.Point; p != nil {
		fmt.Fprintf(w, "  point     revision %d", p.Target)
		if !p.TargetTime.IsZero() {
			fmt.Fprintf(w, ", received %s", p.TargetTime.UTC().Format(time.RFC3339Nano))
		}
		fmt.Fprintf(w, "\n  journal   %d revisions (%d events) replayed from %d segments after backup %s\n",
			p.Revisions, p.Events, p.Segments, p.Base)
	}
	fmt.Fprintf(w, "  member    %s (peer URLs %s)\n", r.Name, strings.Join(r.PeerURLs, ","))
	fmt.Fprintf(w, "  revision  %d", r.Revision)
	if r.BumpRevision > 0 {
		fmt.Fprintf(w, " (backup revision %d, bumped by %d and marked compacted)", r.Revision-int64(r.BumpRevision), r.BumpRevision)
	}
	if r.BumpAutomatic {
		fmt.Fprint(w, "\n            bumped because the backup holds Kubernetes data: a client that lists or watches from "+
			"an older resourceVersion gets 410 Gone and relists, instead of reading a past that no longer "+
			"holds; --no-bump-revision keeps the revisions")
	}
	fmt.Fprintf(w, "\n  keys      %d\n  steps     %s\n", r.TotalKeys, formatSteps(r.Steps, stepOrder))
	if o.Kit != nil {
		o.Kit.print(w)
	}
	if o.Recommendation != "" {
		fmt.Fprintf(w, "\nWARNING: %s.\n", o.Recommendation)
	}
	return o.WriteSteps(w)
}
