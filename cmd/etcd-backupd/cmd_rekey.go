package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/storage"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

func newRekeyCmd(g *globals) *cobra.Command {
	var (
		all          bool
		from, output string
		recipients   []string
	)
	cmd := &cobra.Command{
		Use:   "rekey [ID|--all] --recipient FILE...",
		Short: "Encrypt backups to new recipients without decrypting their data",
		Long: `rekey rewrites the key packets of each chosen backup at every destination (or the one --from names):
the session key is decrypted with encryption.private_key and encrypted to the --recipient keys, and the
encrypted data is copied byte for byte; the snapshot is never decrypted. The result is a new backup, with
the same time and revision and a new ID, whose manifest records the new recipients. The old backup is
deleted only after the new one verified (size and sha256; with a private key among the new recipients, a
quick verification too). Exit 1 names each backup and destination that failed.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := rekeyArg(args, all, recipients)
			if err != nil {
				return err
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.rekey(ctx, ref, from, output, recipients)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "rekey every committed backup")
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "public key file of a new recipient (repeat for several)")
	cmd.Flags().StringVar(&from, "from", "", "the one destination to rekey, by URL or index (default: every destination)")
	addOutputFlag(cmd, &output)
	return cmd
}

// rekeyArg checks the arguments and returns the backup ID, or "" for --all.
func rekeyArg(args []string, all bool, recipients []string) (string, error) {
	switch {
	case len(recipients) == 0:
		return "", usageError{errors.New("rekey: give the new recipients' public keys with --recipient FILE")}
	case all && len(args) > 0:
		return "", usageError{errors.New("rekey: give a backup ID or --all, not both")}
	case all:
		return "", nil
	case len(args) == 0:
		return "", usageError{errors.New("rekey: give a backup ID, or --all")}
	}
	if _, _, err := catalog.ParseID(args[0]); err != nil {
		return "", usageError{err}
	}
	return args[0], nil
}

// rekeyer rekeys backups at one destination after another.
type rekeyer struct {
	a    *app
	id   *crypto.Identity
	to   *crypto.Recipients
	rows []rekeyRow
}

func (g *globals) rekey(ctx context.Context, ref, from, output string, recipients []string) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	set, err := a.dests.Pick(from)
	if err != nil {
		return usageError{err}
	}
	r := &rekeyer{a: a}
	if r.id, err = a.cfg.Identity(); err != nil {
		return err
	}
	if r.to, err = crypto.LoadRecipients(recipients); err != nil {
		return usageError{fmt.Errorf("--recipient: %w", err)}
	}
	found := false
	err = set.Each(ctx, func(c *catalog.Catalog) error {
		ms, err := rekeyTargets(ctx, c, ref)
		found = found || len(ms) > 0
		return errors.Join(err, r.destination(ctx, c, ms))
	})
	if ref != "" && !found && err == nil {
		err = fmt.Errorf("rekey: backup %s: no destination holds it: %w", ref, catalog.ErrNoBackup)
	}
	if perr := printRekeyed(g.stdout, output, r.rows); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

// rekeyTargets returns the backups to rekey at c: ref, or every committed one for "".
func rekeyTargets(ctx context.Context, c *catalog.Catalog, ref string) ([]*catalog.Manifest, error) {
	if ref == "" {
		ms, damaged, err := c.Manifests(ctx)
		for _, d := range damaged {
			err = errors.Join(err, fmt.Errorf("rekey %s at %s: skipped: %w", d.ID, c.Store, d.Err))
		}
		return ms, err
	}
	m, err := c.Get(ctx, ref)
	if errors.Is(err, catalog.ErrNoBackup) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []*catalog.Manifest{m}, nil
}

// destination rekeys ms at c, one after another, and records a row for each.
func (r *rekeyer) destination(ctx context.Context, c *catalog.Catalog, ms []*catalog.Manifest) error {
	var errs []error
	for _, m := range ms {
		if ctx.Err() != nil {
			return errors.Join(append(errs, ctx.Err())...)
		}
		row, err := r.one(ctx, c, m)
		if err != nil {
			err = fmt.Errorf("rekey %s at %s: %w", m.ID, c.Store, err)
			row.Error = err.Error()
			errs = append(errs, err)
		}
		r.rows = append(r.rows, row)
	}
	return errors.Join(errs...)
}

// one rekeys m at c: it writes and commits the new backup, verifies it, then deletes m.
func (r *rekeyer) one(ctx context.Context, c *catalog.Catalog, m *catalog.Manifest) (rekeyRow, error) {
	row := rekeyRow{Destination: c.Store.String(), OldID: m.ID, Recipients: r.to.Fingerprints()}
	switch {
	case m.Object.Encryption != catalog.EncryptionPGP:
		row.Skipped = "not encrypted"
		return row, nil
	case sameSet(m.Object.Recipients, row.Recipients):
		row.Skipped = "already encrypted to these recipients"
		return row, nil
	}
	nm, err := r.write(ctx, c, m)
	if err != nil {
		return row, err
	}
	row.NewID = nm.ID
	if row.Verified, err = r.verify(ctx, c, nm); err != nil {
		return row, errors.Join(fmt.Errorf("new backup %s does not verify; the old one is kept: %w", nm.ID, err),
			deleteBackup(ctx, c, nm.ID))
	}
	if err := deleteBackup(ctx, c, m.ID); err != nil {
		return row, fmt.Errorf("new backup %s is committed and verified, but the old one was not deleted: %w", nm.ID, err)
	}
	return row, nil
}

// write streams m's object through crypto.Rekey into a new object and commits its manifest.
func (r *rekeyer) write(ctx context.Context, c *catalog.Catalog, m *catalog.Manifest) (*catalog.Manifest, error) {
	newID, err := catalog.RekeyID(m.ID)
	if err != nil {
		return nil, err
	}
	nm := *m
	nm.ID = newID
	nm.Object.Key = c.Layout.DataKey(newID, catalog.DataSuffix(m.Object.Compression, true))
	if err := r.copyObject(ctx, c, m, &nm); err != nil {
		return nil, err
	}
	if err := c.Commit(ctx, &nm); err != nil {
		return nil, errors.Join(fmt.Errorf("commit new backup %s: %w", newID, err), deleteKey(ctx, c, nm.Object.Key))
	}
	return &nm, nil
}

// copyObject writes nm's object, m's with new key packets, and sets its size, sha256 and recipients.
// The old object is checked against m on the way: a damaged one is not passed on.
func (r *rekeyer) copyObject(ctx context.Context, c *catalog.Catalog, m, nm *catalog.Manifest) error {
	rc, err := c.Store.NewReader(ctx, m.Object.Key)
	if err != nil {
		return fmt.Errorf("read %s: %w", m.Object.Key, err)
	}
	defer rc.Close()
	w, err := c.Store.NewWriter(ctx, nm.Object.Key, storage.WriteOptions{SizeHint: m.Object.Size, IfNotExist: true})
	if err != nil {
		return fmt.Errorf("write %s: %w", nm.Object.Key, err)
	}
	in, out := newSum(), newSum()
	res, err := crypto.Rekey(io.MultiWriter(w, out), io.TeeReader(ctxReader{ctx, rc}, in), r.id, r.to)
	if err == nil && (in.n != m.Object.Size || in.hex() != m.Object.SHA256) {
		err = fmt.Errorf("old object %s is %d bytes with sha256 %s, its manifest says %d bytes and %s",
			m.Object.Key, in.n, in.hex(), m.Object.Size, m.Object.SHA256)
	}
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", nm.Object.Key, err)
	}
	nm.Object.Size, nm.Object.SHA256, nm.Object.Recipients = out.n, out.hex(), res.Recipients
	return nil
}

// verify checks the new backup: size and sha256, and a quick verification when the private key is
// among its recipients. It returns what was checked.
func (r *rekeyer) verify(ctx context.Context, c *catalog.Catalog, nm *catalog.Manifest) (string, error) {
	o := r.a.cfg.VerifyOptions(r.id)
	o.Catalog, o.Logger = c, r.a.lg.Named("verify")
	if err := verify.Stored(ctx, o, nm); err != nil {
		return "", err
	}
	if !slices.ContainsFunc(r.id.Fingerprints(), func(f string) bool { return slices.Contains(nm.Object.Recipients, f) }) {
		return "stored", nil
	}
	if _, err := verify.Quick(ctx, o, nm); err != nil {
		return "", err
	}
	return "quick", nil
}

// deleteBackup deletes the manifest and data objects of id at c.
func deleteBackup(ctx context.Context, c *catalog.Catalog, id string) error {
	e, err := c.EntryOf(ctx, id)
	if err == nil {
		err = c.Delete(ctx, e)
	}
	if err != nil {
		return fmt.Errorf("delete backup %s: %w", id, err)
	}
	return nil
}

// deleteKey removes an object written for a backup that did not commit.
func deleteKey(ctx context.Context, c *catalog.Catalog, key string) error {
	if err := c.Store.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

// sum counts and hashes what is written to it.
type sum struct {
	h hash.Hash
	n int64
}

func newSum() *sum { return &sum{h: sha256.New()} }

func (s *sum) Write(p []byte) (int, error) {
	s.h.Write(p)
	s.n += int64(len(p))
	return len(p), nil
}

func (s *sum) hex() string { return hex.EncodeToString(s.h.Sum(nil)) }

// ctxReader stops reading once ctx is done: a local file's reader never looks at ctx.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
