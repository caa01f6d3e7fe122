// Package rekey encrypts committed backups to new recipients without decrypting their data: each
// backup's key packets are rewritten (crypto.Rekey) into a new backup, verified, and only then is
// the old one deleted.
package rekey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/storage"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// Options say what a rekey decrypts with and encrypts to.
type Options struct {
	Identity   *crypto.Identity   // opens the session keys of the backups
	Recipients *crypto.Recipients // the new recipients
	// Verify are the options of the verification of each new backup; Catalog is set per destination.
	Verify verify.Options
}

// Row is one backup rekeyed at one destination.
type Row struct {
	Destination string   `json:"destination"`
	OldID       string   `json:"old_id"`
	NewID       string   `json:"new_id,omitempty"`   // set once the new backup is committed
	Recipients  []string `json:"recipients"`         // the new recipients' fingerprints
	Verified    string   `json:"verified,omitempty"` // "stored" (size and sha256) or "quick"
	Skipped     string   `json:"skipped,omitempty"`  // why nothing was done
	Kept        string   `json:"kept,omitempty"`     // why the old backup is still there
	Error       string   `json:"error,omitempty"`    // why it failed; the old backup is kept unless said
}

// rekeyer rekeys backups at one destination after another.
type rekeyer struct {
	o    Options
	rows []Row
}

// Run rekeys the backup ref (every committed backup for "") at every destination of set, following
// the set's policy: a destination or a backup that fails stops no other. Each new backup has the
// old one's time and revision and a new ID; the old one is deleted only once the new one verified.
func Run(ctx context.Context, set *catalog.Set, ref string, o Options) ([]Row, error) {
	r := &rekeyer{o: o}
	found := false
	err := set.Each(ctx, func(c *catalog.Catalog) error {
		ms, err := targets(ctx, c, ref)
		found = found || len(ms) > 0
		return errors.Join(err, r.destination(ctx, c, ms))
	})
	if ref != "" && !found && err == nil {
		err = fmt.Errorf("rekey: backup %s: no destination holds it: %w", ref, catalog.ErrNoBackup)
	}
	return r.rows, err
}

// targets returns the backups to rekey at c: ref, or every committed one for "".
func targets(ctx context.Context, c *catalog.Catalog, ref string) ([]*catalog.Manifest, error) {
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
func (r *rekeyer) one(ctx context.Context, c *catalog.Catalog, m *catalog.Manifest) (Row, error) {
	row := Row{Destination: c.Store.String(), OldID: m.ID, Recipients: r.o.Recipients.Fingerprints()}
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
		err = fmt.Errorf("new backup %s does not verify; the old one is kept: %w", nm.ID, err)
		if until, lerr := lockedUntil(ctx, c, nm.ID); lerr != nil || !until.IsZero() {
			return row, errors.Join(err, lerr, fmt.Errorf("the new one is left: the object lock retains it until %s",
				until.UTC().Format(time.RFC3339)))
		}
		return row, errors.Join(err, deleteBackup(ctx, c, nm.ID))
	}
	if until, err := lockedUntil(ctx, c, m.ID); err != nil || !until.IsZero() {
		if err != nil {
			return row, fmt.Errorf("new backup %s is committed and verified; the old one is kept: %w", nm.ID, err)
		}
		row.Kept = "the old backup is retained by the object lock until " + until.UTC().Format(time.RFC3339) +
			"; prune removes it after that"
		return row, nil
	}
	if err := deleteBackup(ctx, c, m.ID); err != nil {
		return row, fmt.Errorf("new backup %s is committed and verified, but the old one was not deleted: %w", nm.ID, err)
	}
	return row, nil
}

// lockedUntil is when the object lock releases the backup id at c; zero when it does not hold it.
func lockedUntil(ctx context.Context, c *catalog.Catalog, id string) (time.Time, error) {
	e, err := c.EntryOf(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	keys := make([]string, len(e.Objects))
	for i, o := range e.Objects {
		keys[i] = o.Key
	}
	return storage.LockedUntil(ctx, c.Store, keys, time.Now())
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
	if err := r.copyKit(ctx, c, m, &nm); err != nil {
		return nil, errors.Join(err, deleteKey(ctx, c, nm.Object.Key))
	}
	if err := c.Commit(ctx, &nm); err != nil {
		err = errors.Join(fmt.Errorf("commit new backup %s: %w", newID, err), deleteKey(ctx, c, nm.Object.Key))
		if nm.Kit != nil {
			err = errors.Join(err, deleteKey(ctx, c, nm.Kit.Key))
		}
		return nil, err
	}
	return &nm, nil
}

// copyKit writes nm's restore kit, m's with new key packets: the kit is encrypted to the same
// recipients as the backup, and must stay readable with the new keys once the old ones are gone.
func (r *rekeyer) copyKit(ctx context.Context, c *catalog.Catalog, m, nm *catalog.Manifest) error {
	if m.Kit == nil {
		return nil
	}
	old, err := c.ReadKit(ctx, m.Kit)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := crypto.Rekey(&buf, bytes.NewReader(old), r.o.Identity, r.o.Recipients); err != nil {
		return fmt.Errorf("rekey kit %s: %w", m.Kit.Key, err)
	}
	if err := c.PutKit(ctx, nm.ID, buf.Bytes()); err != nil {
		return err
	}
	k := *m.Kit
	k.Key, k.Size, k.SHA256 = c.Layout.KitKey(nm.ID), int64(buf.Len()), catalog.SHA256Hex(buf.Bytes())
	nm.Kit = &k
	return nil
}

// copyObject writes nm's object, m's with new key packets, and sets its size, sha256 and recipients.
// The old object is checked against m on the way: a damaged one is not passed on.
func (r *rekeyer) copyObject(ctx context.Context, c *catalog.Catalog, m, nm *catalog.Manifest) error {
	rc, err := c.Store.NewReader(ctx, m.Object.Key)
	if err != nil {
		return fmt.Errorf("read %s: %w", m.Object.Key, err)
	}
	defer rc.Close()
	w, err := c.Store.NewWriter(ctx, nm.Object.Key, storage.WriteOptions{SizeHint: m.Object.Size, IfNotExist: true, Lock: true})
	if err != nil {
		return fmt.Errorf("write %s: %w", nm.Object.Key, err)
	}
	in, out := verify.NewSum(), verify.NewSum()
	res, err := crypto.Rekey(io.MultiWriter(w, out), io.TeeReader(ctxReader{ctx, rc}, in), r.o.Identity, r.o.Recipients)
	if err == nil && (in.Size() != m.Object.Size || in.Hex() != m.Object.SHA256) {
		err = fmt.Errorf("old object %s is %d bytes with sha256 %s, its manifest says %d bytes and %s",
			m.Object.Key, in.Size(), in.Hex(), m.Object.Size, m.Object.SHA256)
	}
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", nm.Object.Key, err)
	}
	nm.Object.Size, nm.Object.SHA256, nm.Object.Recipients = out.Size(), out.Hex(), res.Recipients
	return nil
}

// verify checks the new backup: size and sha256, and a quick verification when the private key is
// among its recipients. It returns what was checked.
func (r *rekeyer) verify(ctx context.Context, c *catalog.Catalog, nm *catalog.Manifest) (string, error) {
	o := r.o.Verify
	o.Catalog = c
	if err := verify.Stored(ctx, o, nm); err != nil {
		return "", err
	}
	if !slices.ContainsFunc(r.o.Identity.Fingerprints(), func(f string) bool { return slices.Contains(nm.Object.Recipients, f) }) {
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
