package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/progress"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// oneBackupArg accepts at most one argument, the backup.
func oneBackupArg(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageError{fmt.Errorf("%s takes one backup ID or latest, got %q", cmd.CommandPath(), args)}
	}
	return nil
}

// backupArg is the optional [ID|latest] argument.
func backupArg(args []string) (string, error) {
	if len(args) == 0 || args[0] == "latest" {
		return "latest", nil
	}
	if _, _, err := catalog.ParseID(args[0]); err != nil {
		return "", usageError{err}
	}
	return args[0], nil
}

// openBackup opens the destinations, finds the backup (see catalog.Set.Resolve) and loads what
// decrypts it.
func (g *globals) openBackup(ctx context.Context, a *app, ref, from, label string) (verify.Options, *catalog.Manifest, error) {
	if err := a.openStores(ctx); err != nil {
		return verify.Options{}, nil, err
	}
	set, err := a.dests.Pick(from)
	if err != nil {
		return verify.Options{}, nil, usageError{err}
	}
	c, m, err := set.Resolve(ctx, ref)
	if err != nil {
		return verify.Options{}, nil, err
	}
	id, err := a.cfg.IdentityFor(m)
	if err != nil {
		return verify.Options{}, nil, err
	}
	o := a.cfg.VerifyOptions(id)
	o.Catalog, o.Logger, o.Progress = c, a.lg.Named("verify"), g.progress(label+" "+m.ID)
	return o, m, nil
}

// openJournal opens the destinations a point-in-time restore or a journal verification may read
// (every one in order, or --from). The journal's segments are encrypted to the backups' recipients:
// needKey loads the private key (a config error without it) unless encryption is disabled; without
// needKey it is loaded only when configured, and a quick verification checks stored sums alone.
func (g *globals) openJournal(ctx context.Context, a *app, from string, needKey bool) (verify.Options, *catalog.Set, error) {
	if err := a.openStores(ctx); err != nil {
		return verify.Options{}, nil, err
	}
	set, err := a.dests.Pick(from)
	if err != nil {
		return verify.Options{}, nil, usageError{err}
	}
	var id *crypto.Identity
	if !a.cfg.Encryption.Disabled && (needKey || a.cfg.Encryption.PrivateKey != "") {
		if id, err = a.cfg.Identity(); err != nil {
			return verify.Options{}, nil, err
		}
	}
	o := a.cfg.VerifyOptions(id)
	o.Logger = a.lg.Named("verify")
	return o, set, nil
}

// restorePoint restores p from the first destination whose journal and backups reach it.
func restorePoint(ctx context.Context, o verify.Options, set *catalog.Set, p verify.Point, ro verify.RestoreOptions) (*verify.RestoreResult, verify.Options, error) {
	var errs []error
	for _, c := range set.All() {
		o.Catalog = c
		res, err := verify.RestorePoint(ctx, o, p, ro)
		if err == nil || !errors.Is(err, verify.ErrNotRestorable) {
			return res, o, err
		}
		errs = append(errs, err)
	}
	return nil, o, errors.Join(errs...)
}

// progress returns a progress bar factory on stderr, or nil when stdout or stderr is not a terminal.
func (g *globals) progress(label string) func(total int64) io.WriteCloser {
	if !progress.IsTerminal(g.stdout) || !progress.IsTerminal(g.stderr) {
		return nil
	}
	return func(total int64) io.WriteCloser { return progress.New(g.stderr, label, total) }
}
