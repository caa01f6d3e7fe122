package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/spf13/cobra"
)

// maintainFlags are the flags of maintain; each overrides the maintenance section for this run.
type maintainFlags struct {
	output                                  string
	dryRun, nospace, all, compact, noBackup bool
}

func newMaintainCmd(g *globals) *cobra.Command {
	var f maintainFlags
	cmd := &cobra.Command{
		Use:   "maintain",
		Short: "Defragment the members that need it, safely: a verified backup first, followers one at a time, the leader last",
		Long: `maintain checks that every member is healthy with one leader and raft in step (otherwise it refuses
and changes nothing), takes a backup and reads it back at every destination, then defragments the members
the rule in the maintenance section picks: followers one at a time, each back and caught up before the
next, then leadership moves to a defragmented follower and the former leader is defragmented last.
--nospace runs the NOSPACE runbook instead: backup, compaction to the current revision, every member
defragmented in the same order, a check that each is below the quota, then alarm disarm.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(f.output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.maintain(ctx, f)
		},
	}
	addOutputFlag(cmd, &f.output)
	fl := cmd.Flags()
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan and the reason for each member; change nothing")
	fl.BoolVar(&f.nospace, "nospace", false, "recover from a NOSPACE alarm (the guide's runbook, end to end)")
	fl.BoolVar(&f.all, "all", false, "defragment every member, whatever the rule says")
	fl.BoolVar(&f.compact, "compact", false, "compact to the current revision minus maintenance.keep_revisions first")
	fl.BoolVar(&f.noBackup, "no-backup", false, "skip the backup taken before any change (not advised)")
	return cmd
}

func (g *globals) maintain(ctx context.Context, f maintainFlags) error {
	a, d, err := g.openJobs(ctx, (*config.Config).MaintainConfig, false)
	if err != nil {
		return err
	}
	defer a.Close()
	job := d.Maintain
	o := job.Options()
	o.DryRun, o.All = f.dryRun, f.all
	o.Compact = o.Compact || f.compact
	o.NoBackup = o.NoBackup || f.noBackup
	rep, err := job.Run(ctx, o, f.nospace)
	if rep != nil {
		if perr := printMaintenance(g.stdout, f.output, rep); perr != nil {
			return perr
		}
	}
	return err
}
