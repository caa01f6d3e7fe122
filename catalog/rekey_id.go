package catalog

import (
	"context"
	"fmt"
)

// RekeyID returns a new ID for a rewrite of the backup old: the same time and revision, a new
// writer suffix, so that the rewrite sorts where old does and never takes its name.
func RekeyID(old string) (string, error) {
	t, rev, err := ParseID(old)
	if err != nil {
		return "", err
	}
	for {
		if id := NewUniqueID(t, rev); id != old {
			return id, nil
		}
	}
}

// EntryOf lists the objects of backup id: its manifest and data objects, never a stray key that
// merely starts with the ID. It returns ErrNoBackup when id has no object at all.
func (c *Catalog) EntryOf(ctx context.Context, id string) (*Entry, error) {
	ix, err := c.Scan(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range ix.Entries {
		if e.ID != id {
			continue
		}
		out := &Entry{ID: id, Committed: e.Committed}
		for _, o := range e.Objects {
			if c.Layout.ObjectID(o.Key) == id {
				out.Objects = append(out.Objects, o)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("backup %s at %s: %w", id, c.Store, ErrNoBackup)
}
