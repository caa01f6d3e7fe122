package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// Journal reads and writes one cluster's segments at one destination.
type Journal struct {
	Store  storage.Store
	Layout Layout
}

// New returns the journal of cluster at s.
func New(s storage.Store, cluster string) *Journal {
	return &Journal{Store: s, Layout: Layout{Cluster: cluster}}
}

// Segment is what one listing shows of a committed segment: its name and objects.
type Segment struct {
	Name        string
	First, Last int64
	Objects     []storage.Object // the data and the manifest
}

// Size is the stored size of the segment's objects.
func (s Segment) Size() int64 {
	var n int64
	for _, o := range s.Objects {
		n += o.Size
	}
	return n
}

// Listing is one listing of the journal's folder.
type Listing struct {
	Segments []Segment        // committed (a manifest exists), by first revision, then last
	Orphans  []storage.Object // data without a manifest: an upload cut short
}

// List lists the journal's folder once; names alone give the revisions, no manifest is read.
func (j *Journal) List(ctx context.Context) (*Listing, error) {
	objs, err := j.Store.List(ctx, j.Layout.Prefix())
	if err != nil {
		return nil, fmt.Errorf("list journal at %s: %w", j.Store, err)
	}
	byName := map[string]*Segment{}
	committed := map[string]bool{}
	for _, o := range objs {
		name, manifest, ok := j.Layout.split(o.Key)
		if !ok {
			continue
		}
		s := byName[name]
		if s == nil {
			first, last, _ := ParseName(name)
			s = &Segment{Name: name, First: first, Last: last}
			byName[name] = s
		}
		s.Objects = append(s.Objects, o)
		committed[name] = committed[name] || manifest
	}
	l := &Listing{}
	for name, s := range byName {
		if committed[name] {
			l.Segments = append(l.Segments, *s)
		} else {
			l.Orphans = append(l.Orphans, s.Objects...)
		}
	}
	sort.Slice(l.Segments, func(a, b int) bool {
		x, y := l.Segments[a], l.Segments[b]
		return x.First < y.First || x.First == y.First && x.Last < y.Last
	})
	return l, nil
}

// Manifest reads a segment's manifest and checks that it describes that segment.
func (j *Journal) Manifest(ctx context.Context, name string) (*Manifest, error) {
	data, err := j.read(ctx, j.Layout.ManifestKey(name), 1<<20)
	if err != nil {
		return nil, err
	}
	m, err := DecodeManifest(data)
	if err == nil {
		err = m.checkPlace(j.Layout, name)
	}
	if err != nil {
		return nil, fmt.Errorf("segment %s at %s: %w", name, j.Store, err)
	}
	return m, nil
}

// commit writes the data, then the manifest, both create-only: a segment is never overwritten, and
// one found there with these very bytes (a write given up on) is this writer's own.
func (j *Journal) commit(ctx context.Context, s *sealed) error {
	if err := j.create(ctx, s.m.Object.Key, s.data); err != nil {
		return err
	}
	data, err := s.m.Encode()
	if err != nil {
		return err
	}
	err = j.create(ctx, j.Layout.ManifestKey(s.m.Name), data)
	if errors.Is(err, catalog.ErrTaken) {
		// Another writer (the other side of a failover) committed these very revisions: the
		// chain holds them; this writer's data is an orphan that prune sweeps.
		if there, merr := j.Manifest(ctx, s.m.Name); merr == nil && there.Plain.Size > 0 {
			return nil
		}
	}
	return err
}

func (j *Journal) create(ctx context.Context, key string, data []byte) error {
	err := j.write(ctx, key, data)
	if !errors.Is(err, storage.ErrExists) {
		return err
	}
	if there, rerr := j.read(ctx, key, int64(len(data))+1); rerr == nil && bytes.Equal(there, data) {
		return nil
	}
	return fmt.Errorf("%w: %w", catalog.ErrTaken, err)
}

func (j *Journal) write(ctx context.Context, key string, data []byte) error {
	w, err := j.Store.NewWriter(ctx, key, storage.WriteOptions{IfNotExist: true, SizeHint: int64(len(data)), Lock: true})
	if err != nil {
		return fmt.Errorf("write %s at %s: %w", key, j.Store, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return fmt.Errorf("write %s at %s: %w", key, j.Store, err)
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("commit %s at %s: %w", key, j.Store, err)
	}
	return nil
}

// read returns an object of at most limit bytes.
func (j *Journal) read(ctx context.Context, key string, limit int64) ([]byte, error) {
	r, err := j.Store.NewReader(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", key, j.Store, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", key, j.Store, err)
	}
	return data, nil
}

// Stored downloads a segment's data and checks its size and sha256 against the manifest.
func (j *Journal) Stored(ctx context.Context, m *Manifest) ([]byte, error) {
	data, err := j.read(ctx, m.Object.Key, m.Object.Size+1)
	if err != nil {
		return nil, fmt.Errorf("segment %s: %w", m.Name, err)
	}
	switch {
	case int64(len(data)) != m.Object.Size:
		return nil, fmt.Errorf("segment %s at %s: stored size %d, manifest says %d (truncated or damaged)",
			m.Name, j.Store, len(data), m.Object.Size)
	case catalog.SHA256Hex(data) != m.Object.SHA256:
		return nil, fmt.Errorf("segment %s at %s: stored sha256 differs from the manifest (tampered or damaged)",
			m.Name, j.Store)
	}
	return data, nil
}

// Delete removes a segment: the manifest first, so that a crash leaves an orphan, never a manifest
// without data.
func (j *Journal) Delete(ctx context.Context, s Segment) error {
	if err := j.Store.Delete(ctx, j.Layout.ManifestKey(s.Name)); err != nil {
		return fmt.Errorf("delete segment %s at %s: %w", s.Name, j.Store, err)
	}
	for _, o := range s.Objects {
		if o.Key == j.Layout.ManifestKey(s.Name) {
			continue
		}
		if err := j.Store.Delete(ctx, o.Key); err != nil {
			return fmt.Errorf("delete %s at %s: %w", o.Key, j.Store, err)
		}
	}
	return nil
}
