package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/storage"
	"golang.org/x/sync/errgroup"
)

// ErrNoBackup is returned when a requested backup has no manifest.
var ErrNoBackup = errors.New("no such backup")

// Catalog reads and writes one cluster's backups at one store.
type Catalog struct {
	Store  storage.Store
	Layout Layout
}

// New returns the catalog of cluster at s.
func New(s storage.Store, cluster string) *Catalog {
	return &Catalog{Store: s, Layout: Layout{Cluster: cluster}}
}

// Entry is what one listing shows of one backup ID.
type Entry struct {
	ID        string
	Committed bool             // a manifest exists
	Objects   []storage.Object // every object of this ID, the manifest included
}

// Index is the result of one listing of the snapshots folder.
type Index struct {
	Entries []*Entry // newest first
}

// Committed returns the IDs that have a manifest, newest first.
func (ix *Index) Committed() []string {
	var ids []string
	for _, e := range ix.Entries {
		if e.Committed {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// Scan lists the snapshots folder once. Keys that do not parse as ours are ignored.
func (c *Catalog) Scan(ctx context.Context) (*Index, error) {
	objs, err := c.Store.List(ctx, c.Layout.SnapshotsPrefix())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.Store, err)
	}
	byID := map[string]*Entry{}
	for _, o := range objs {
		id, suffix, ok := c.Layout.splitSnapshotKey(o.Key)
		if !ok {
			continue
		}
		e := byID[id]
		if e == nil {
			e = &Entry{ID: id}
			byID[id] = e
		}
		e.Objects = append(e.Objects, o)
		if suffix == manifestSuffix {
			e.Committed = true
		}
	}
	ix := &Index{}
	for _, e := range byID {
		ix.Entries = append(ix.Entries, e)
	}
	sort.Slice(ix.Entries, func(i, j int) bool { return ix.Entries[i].ID > ix.Entries[j].ID })
	return ix, nil
}

// List returns the manifests of every committed backup, newest first.
func (c *Catalog) List(ctx context.Context) ([]*Manifest, error) {
	ix, err := c.Scan(ctx)
	if err != nil {
		return nil, err
	}
	ids := ix.Committed()
	out := make([]*Manifest, len(ids))
	err = Each(ctx, len(ids), readers, func(i int) error {
		m, err := c.Get(ctx, ids[i])
		out[i] = m
		return err
	})
	return out, err
}

// Get reads the manifest of id.
func (c *Catalog) Get(ctx context.Context, id string) (*Manifest, error) {
	key := c.Layout.ManifestKey(id)
	data, err := c.read(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("backup %s at %s: %w", id, c.Store, ErrNoBackup)
	}
	if err != nil {
		return nil, err
	}
	m, err := DecodeManifest(data)
	if err == nil { // an edited or moved manifest would otherwise pass for another backup
		err = m.CheckPlace(c.Layout, key)
	}
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w: %w", key, c.Store, ErrDamaged, err)
	}
	return m, nil
}

// ErrDamaged is wrapped by the error of a manifest that was read but cannot be trusted: it does not
// decode, or what it says of itself disagrees with where it was found.
var ErrDamaged = errors.New("damaged manifest")

// Damaged is a committed backup whose manifest cannot be trusted.
type Damaged struct {
	ID  string
	Err error
}

// Manifests reads the manifest of every committed backup, newest first, and sets damaged ones apart,
// so that one bad manifest hides no good one. Any other error (storage) fails it.
func (c *Catalog) Manifests(ctx context.Context) ([]*Manifest, []Damaged, error) {
	ix, err := c.Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids := ix.Committed()
	read := make([]*Manifest, len(ids))
	bad := make([]error, len(ids))
	err = Each(ctx, len(ids), readers, func(i int) error {
		m, err := c.Get(ctx, ids[i])
		switch {
		case errors.Is(err, ErrDamaged):
			bad[i] = err
		case errors.Is(err, ErrNoBackup): // deleted since the listing
		case err != nil:
			return err
		}
		read[i] = m
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var good []*Manifest
	var damaged []Damaged
	for i, id := range ids {
		if bad[i] != nil {
			damaged = append(damaged, Damaged{ID: id, Err: bad[i]})
		} else if read[i] != nil {
			good = append(good, read[i])
		}
	}
	return good, damaged, nil
}

// Resolve finds the backup named by ref: an ID, or "latest" (or "") for the newest committed one.
func (c *Catalog) Resolve(ctx context.Context, ref string) (*Manifest, error) {
	if ref != "" && ref != "latest" {
		if !ValidID(ref) {
			_, _, err := ParseID(ref)
			return nil, err
		}
		return c.Get(ctx, ref)
	}
	ix, err := c.Scan(ctx)
	if err != nil {
		return nil, err
	}
	ids := ix.Committed()
	if len(ids) == 0 {
		return nil, fmt.Errorf("latest backup of %s at %s: %w", c.Layout.Cluster, c.Store, ErrNoBackup)
	}
	return c.Get(ctx, ids[0])
}

// ErrTaken is wrapped by the error of a Commit whose ID another writer committed first.
var ErrTaken = errors.New("ID taken by another writer")

// Commit writes the manifest, which makes the backup visible. The write is create-only where the
// store can (s3, gs, azblob, file), so that a run never reports as its own a backup another writer
// committed under the same ID. A manifest found there with these very bytes is this run's own,
// from a write it gave up on, and counts as committed.
func (c *Catalog) Commit(ctx context.Context, m *Manifest) error {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	key := c.Layout.ManifestKey(m.ID)
	err = c.write(ctx, key, data, storage.WriteOptions{IfNotExist: true, Lock: true})
	if !errors.Is(err, storage.ErrExists) {
		return err
	}
	if there, rerr := c.read(ctx, key); rerr == nil && bytes.Equal(there, data) {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrTaken, err)
}

// Delete removes a backup: the manifest first, then the data, so that a crash leaves an orphan,
// never a manifest without data. Objects already gone are not an error.
func (c *Catalog) Delete(ctx context.Context, e *Entry) error {
	if err := c.Store.Delete(ctx, c.Layout.ManifestKey(e.ID)); err != nil {
		return fmt.Errorf("delete manifest %s at %s: %w", e.ID, c.Store, err)
	}
	for _, o := range e.Objects {
		if strings.HasSuffix(o.Key, manifestSuffix) {
			continue
		}
		if err := c.Store.Delete(ctx, o.Key); err != nil {
			return fmt.Errorf("delete %s at %s: %w", o.Key, c.Store, err)
		}
	}
	return nil
}

func (c *Catalog) read(ctx context.Context, key string) ([]byte, error) {
	r, err := c.Store.NewReader(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", key, c.Store, err)
	}
	return data, nil
}

func (c *Catalog) write(ctx context.Context, key string, data []byte, opts ...storage.WriteOptions) error {
	w, err := c.Store.NewWriter(ctx, key, opts...)
	if err != nil {
		return fmt.Errorf("write %s at %s: %w", key, c.Store, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return fmt.Errorf("write %s at %s: %w", key, c.Store, err)
	}
	return w.Commit()
}

// Each runs f(0..n-1) on up to workers goroutines. After the first error no new call starts; that
// error is returned, or ctx's error if it ended first.
func Each(ctx context.Context, n, workers int, f func(i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for i := 0; i < n && gctx.Err() == nil; i++ {
		g.Go(func() error { return f(i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// readers is how many objects catalog reads at once.
const readers = 8

// Committed reports whether a manifest for id exists.
func (c *Catalog) Committed(ctx context.Context, id string) (bool, error) {
	r, err := c.Store.NewReader(ctx, c.Layout.ManifestKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.Close()
	return true, nil
}
