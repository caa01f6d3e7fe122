package main

import (
	"context"

	"github.com/etcd-backupd/etcd-backupd/prune"
)

// pruneOptions builds the prune options from the config: the retention policy, the backup
// timeout the sweeper's grace period never falls below, and the spool dir.
func (a *app) pruneOptions(dryRun bool) (prune.Options, error) {
	p, err := a.cfg.RetentionPolicy()
	if err != nil {
		return prune.Options{}, usageError{err}
	}
	return prune.Options{
		Policy:        p,
		DryRun:        dryRun,
		BackupTimeout: a.cfg.Etcd.SnapshotTimeout.D(),
		SpoolDir:      a.cfg.SpoolDir,
		Logger:        a.lg.Named("prune"),
	}, nil
}

// prune applies retention at every opened destination and returns how many backups it deleted.
// It is daemon.Service.Prune for run and run-once.
func (a *app) prune(ctx context.Context) (int, error) {
	o, err := a.pruneOptions(false)
	if err != nil {
		return 0, err
	}
	res, err := prune.RunAll(ctx, a.cats, o)
	return res.Deleted(), err
}
