package prune

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// listing is a Store whose List answers from listings of a few folders made up front.
// Everything else goes to the store, so catalog code runs on it unchanged.
type listing struct {
	storage.Store
	folders map[string][]storage.Object // folder -> its objects, sorted by key
}

func newListing(ctx context.Context, s storage.Store, folders ...string) (*listing, error) {
	l := &listing{Store: s, folders: map[string][]storage.Object{}}
	for _, f := range folders {
		objs, err := s.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s, err)
		}
		slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
		l.folders[f] = objs
	}
	return l, nil
}

// List serves prefixes inside a listed folder from its listing.
func (l *listing) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	for f, objs := range l.folders {
		if !strings.HasPrefix(prefix, f) {
			continue
		}
		i := sort.Search(len(objs), func(i int) bool { return objs[i].Key >= prefix })
		j := i
		for j < len(objs) && strings.HasPrefix(objs[j].Key, prefix) {
			j++
		}
		return slices.Clone(objs[i:j]), nil
	}
	return l.Store.List(ctx, prefix)
}

// state is what the listings of the snapshots and drills folders tell of a destination.
type state struct {
	cat    *catalog.Catalog // the destination's catalog, listing from the snapshot
	index  *catalog.Index
	drills map[string][]string // backup ID -> its drill record keys, oldest first
}

// load lists the snapshots and drills folders once each and sorts what they hold. The journal's
// folder (wal/) is listed apart, by pruneJournal.
func load(ctx context.Context, c *catalog.Catalog) (*state, error) {
	l, err := newListing(ctx, c.Store, c.Layout.SnapshotsPrefix(), c.Layout.DrillsPrefix())
	if err != nil {
		return nil, err
	}
	st := &state{cat: catalog.New(l, c.Layout.Cluster), drills: map[string][]string{}}
	if st.index, err = st.cat.Scan(ctx); err != nil {
		return nil, err
	}
	drills, _ := l.List(ctx, c.Layout.DrillsPrefix())
	for _, o := range drills {
		if id, ok := c.Layout.DrillID(o.Key); ok {
			st.drills[id] = append(st.drills[id], o.Key)
		}
	}
	return st, nil
}

// ours returns e restricted to the objects named <ID><one of our suffixes>: a stray key that
// merely starts with an ID is never deleted.
func ours(l catalog.Layout, e *catalog.Entry) *catalog.Entry {
	out := &catalog.Entry{ID: e.ID, Committed: e.Committed}
	for _, o := range e.Objects {
		if l.ObjectID(o.Key) == e.ID {
			out.Objects = append(out.Objects, o)
		}
	}
	return out
}
