package prune

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// PendingStore is implemented by stores at which an unfinished write can outlive its writer:
// the file store's temp files and S3 incomplete multipart uploads. Keys are those the writes
// would have committed.
type PendingStore interface {
	// ListPending returns the unfinished writes under prefix. ModTime is when the write was
	// last seen alive: the temp file's last write, or the start of the upload.
	ListPending(ctx context.Context, prefix string) ([]storage.Object, error)
	// AbortPending discards the unfinished writes of key whose ModTime is before before.
	// Writes already gone are not an error.
	AbortPending(ctx context.Context, key string, before time.Time) error
}

func (p *pruner) cutoff() time.Time { return p.o.Now().Add(-p.o.EffectiveGrace()) }

// sweepOrphans removes the data objects without a manifest older than the grace period and the
// drill records of backups that have no manifest.
func (p *pruner) sweepOrphans(ctx context.Context) error {
	cutoff := p.cutoff()
	var todo []Swept
	for _, e := range p.st.index.Entries {
		if e.Committed {
			continue
		}
		for _, o := range ours(p.c.Layout, e).Objects {
			if o.ModTime.Before(cutoff) {
				todo = append(todo, Swept{Kind: KindOrphan, Key: o.Key, ModTime: o.ModTime})
			}
		}
	}
	committed := map[string]bool{}
	for _, id := range p.st.index.Committed() {
		committed[id] = true
	}
	for id, keys := range p.st.drills {
		if committed[id] {
			continue
		}
		for _, k := range keys {
			todo = append(todo, Swept{Kind: KindDrill, Key: k})
		}
	}
	return catalog.Each(ctx, len(todo), p.o.Workers, func(i int) error { return p.remove(ctx, todo[i]) })
}

// sweepPending aborts the unfinished writes of our keys older than the grace period, at stores
// that can list them.
func (p *pruner) sweepPending(ctx context.Context) error {
	ps, ok := p.c.Store.(PendingStore)
	if !ok {
		return nil
	}
	objs, err := ps.ListPending(ctx, p.c.Layout.SnapshotsPrefix())
	if err != nil {
		return fmt.Errorf("list unfinished writes at %s: %w", p.c.Store, err)
	}
	cutoff := p.cutoff()
	for _, o := range objs {
		if p.c.Layout.ObjectID(o.Key) == "" || !o.ModTime.Before(cutoff) {
			continue
		}
		s := Swept{Kind: KindPending, Key: o.Key, ModTime: o.ModTime}
		if !p.o.DryRun {
			if err := ps.AbortPending(ctx, o.Key, cutoff); err != nil {
				return fmt.Errorf("abort unfinished write %s at %s: %w", o.Key, p.c.Store, err)
			}
			s.Deleted = true
		}
		p.r.Swept = append(p.r.Swept, s)
	}
	return nil
}

// spoolSuffix names spool files; backup.OpenSpool removes them.
const spoolSuffix = ".db.part"

// SweepSpool removes the spool files a crash left in dir. It takes the spool lock through
// backup.OpenSpool, so it removes nothing while a backup runs there; the lock, not the age,
// tells that a file is dead. A missing dir is not created. With dryRun it lists the files only.
func SweepSpool(dir string, dryRun bool) ([]Swept, error) {
	found, err := spoolFiles(dir)
	if err != nil || len(found) == 0 || dryRun {
		return found, err
	}
	s, removed, err := backup.OpenSpool(dir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	gone := map[string]bool{}
	for _, f := range removed {
		gone[f] = true
	}
	for i := range found {
		found[i].Deleted = gone[found[i].Key]
	}
	return found, nil
}

func spoolFiles(dir string) ([]Swept, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	var out []Swept
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), spoolSuffix) {
			continue
		}
		s := Swept{Kind: KindSpool, Key: filepath.Join(dir, e.Name())}
		if fi, err := e.Info(); err == nil {
			s.ModTime = fi.ModTime()
		}
		out = append(out, s)
	}
	return out, nil
}
