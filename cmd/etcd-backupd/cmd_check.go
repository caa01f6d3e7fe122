package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/config"
)

// checkFlags are the flags of check.
type checkFlags struct {
	output  string
	strict  bool
	timeout time.Duration
	th      check.Thresholds
}

func newCheckCmd(g *globals) *cobra.Command {
	f := checkFlags{th: check.DefaultThresholds()}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "The two-minute baseline: members, leader, raft, alarms, db size, certificates and backups",
		Long: "check reads every member, the alarms, the certificates and every destination, prints what it " +
			"found with what to do, and the NOSPACE runbook when that alarm is raised. It exits 0 when nothing " +
			"is critical, 1 otherwise (with --strict also on warnings), 2 on a usage or config error.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.check(ctx, f)
		},
	}
	addOutputFlag(cmd, &f.output)
	fl := cmd.Flags()
	fl.BoolVar(&f.strict, "strict", false, "exit 1 on warnings too")
	fl.DurationVar(&f.timeout, "timeout", 2*time.Minute, "stop waiting for what has not answered after this long")
	fl.DurationVar(&f.th.CertWarn, "cert-warn", f.th.CertWarn, "warn when a certificate expires within this")
	fl.DurationVar(&f.th.CertCritical, "cert-critical", f.th.CertCritical, "critical when a certificate expires within this")
	fl.Uint64Var(&f.th.RaftIndexLag, "raft-index-lag", f.th.RaftIndexLag, "largest raft index gap between members, in entries")
	return cmd
}

func (f checkFlags) validate() error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	if f.timeout <= 0 {
		return usageError{fmt.Errorf("--timeout %s: must be positive", f.timeout)}
	}
	if f.th.CertCritical < 0 || f.th.CertWarn < f.th.CertCritical {
		return usageError{fmt.Errorf("--cert-warn %s and --cert-critical %s: want 0 <= critical <= warn",
			f.th.CertWarn, f.th.CertCritical)}
	}
	return nil
}

func (g *globals) check(ctx context.Context, f checkFlags) error {
	a, err := g.newAppWith(config.LoadForCheck) // an expired certificate is a finding here
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.cfg.CheckOptions(g.configPath, f.th)
	if err != nil {
		return err
	}
	if err := a.openEtcd(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var dests []check.Destination
	dests, a.dests = a.cfg.CheckDestinations(ctx, a.lg)
	rep := check.Run(ctx, a.etcd, dests, o, time.Now())
	if err := printReport(g.stdout, f.output, rep); err != nil {
		return err
	}
	if rep.Failed(f.strict) {
		return fmt.Errorf("check: %d critical, %d warning(s)", check.Count(rep.Findings, check.Critical),
			check.Count(rep.Findings, check.Warn))
	}
	return nil
}
