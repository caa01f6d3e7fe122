package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
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

// pickDestinations returns the catalogs --from names: a destination URL as configured or as
// listed, or its index in the config; all of them when from is "".
func (a *app) pickDestinations(from string) ([]*catalog.Catalog, error) {
	if from == "" {
		return a.cats, nil
	}
	urls := a.cfg.DestinationURLs()
	for i, c := range a.cats {
		if from == urls[i] || from == c.Store.String() || from == strconv.Itoa(i) {
			return []*catalog.Catalog{c}, nil
		}
	}
	return nil, usageError{fmt.Errorf("--from %q: no such destination (give its URL or its index from 0)", from)}
}

// findBackup resolves ref at the destinations. An ID is taken from the first destination that holds
// it; "latest" is the newest backup at any destination. Destinations that fail are reported only
// when no destination has the backup.
func (a *app) findBackup(ctx context.Context, ref, from string) (*catalog.Catalog, *catalog.Manifest, error) {
	cats, err := a.pickDestinations(from)
	if err != nil {
		return nil, nil, err
	}
	var (
		bestCat *catalog.Catalog
		best    *catalog.Manifest
		errs    []error
	)
	for _, c := range cats {
		m, err := c.Resolve(ctx, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if best == nil || m.ID > best.ID {
			bestCat, best = c, m
		}
		if ref != "latest" {
			break
		}
	}
	if best == nil {
		return nil, nil, errors.Join(errs...)
	}
	for _, err := range errs {
		if !errors.Is(err, catalog.ErrNoBackup) {
			a.lg.Warn("a destination could not be read", zap.Error(err))
		}
	}
	return bestCat, best, nil
}

// identityFor loads the private key when the backup is encrypted.
func (a *app) identityFor(m *catalog.Manifest) (*crypto.Identity, error) {
	if m.Object.Encryption == catalog.EncryptionNone {
		return nil, nil
	}
	if a.cfg.Encryption.PrivateKey == "" {
		return nil, usageError{fmt.Errorf("encryption.private_key: not set; backup %s is encrypted and "+
			"only the private key decrypts it", m.ID)}
	}
	return a.cfg.Identity()
}

// verifyOptions are the options of every verification of a backup at c.
func (a *app) verifyOptions(c *catalog.Catalog, id *crypto.Identity, prog func(int64) io.WriteCloser) verify.Options {
	return verify.Options{
		Catalog:     c,
		Identity:    id,
		ScratchDir:  a.cfg.Verify.ScratchDir,
		ToolVersion: buildinfo.Get(),
		Logger:      a.lg.Named("verify"),
		Progress:    prog,
	}
}

// openBackup opens the destinations, finds the backup and loads what decrypts it.
func (g *globals) openBackup(ctx context.Context, a *app, ref, from, label string) (verify.Options, *catalog.Manifest, error) {
	if err := a.openStores(ctx); err != nil {
		return verify.Options{}, nil, err
	}
	c, m, err := a.findBackup(ctx, ref, from)
	if err != nil {
		return verify.Options{}, nil, err
	}
	id, err := a.identityFor(m)
	if err != nil {
		return verify.Options{}, nil, err
	}
	return a.verifyOptions(c, id, g.progress(label+" "+m.ID)), m, nil
}

// progress returns a progress bar factory on stderr, or nil when stdout or stderr is not a terminal.
func (g *globals) progress(label string) func(total int64) io.WriteCloser {
	if !progress.IsTerminal(g.stdout) || !progress.IsTerminal(g.stderr) {
		return nil
	}
	return func(total int64) io.WriteCloser { return progress.New(g.stderr, label, total) }
}
