package prune

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

const cluster = "c1"

// base is the time of the first generated backup; now is well after every generated one.
var (
	base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now  = base.Add(90 * 24 * time.Hour)
)

// fixture is a real file store holding a generated catalog.
type fixture struct {
	t     testing.TB
	dir   string
	url   string
	store storage.Store
	cat   *catalog.Catalog
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, url: "file://" + dir}
	f.store, f.cat = f.open()
	return f
}

// open opens another store and catalog on the same directory.
func (f *fixture) open() (storage.Store, *catalog.Catalog) {
	f.t.Helper()
	s, err := storage.Open(context.Background(), f.url, storage.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { s.Close() })
	return s, catalog.New(s, cluster)
}

// put writes one object.
func (f *fixture) put(key string, data []byte) {
	f.t.Helper()
	w, err := f.store.NewWriter(context.Background(), key)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		f.t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		f.t.Fatal(err)
	}
}

// backup commits a synthetic backup taken at: a small data object, then its manifest.
func (f *fixture) backup(at time.Time) string {
	f.t.Helper()
	id := f.data(at)
	m := &catalog.Manifest{Format: catalog.Format, ID: id, ClusterName: cluster, CreatedAt: at,
		Object: catalog.ObjectInfo{Key: f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP), Size: 4}}
	if err := f.cat.Commit(context.Background(), m); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// data writes the data object of a backup taken at, without a manifest.
func (f *fixture) data(at time.Time) string {
	f.t.Helper()
	id := catalog.NewID(at, at.Unix())
	f.put(f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP), []byte("data"))
	return id
}

// drill records a drill of id.
func (f *fixture) drill(id string, at time.Time, ok bool) {
	f.t.Helper()
	d := &catalog.Drill{BackupID: id, Mode: catalog.ModeQuick, StartedAt: at, OK: ok}
	if err := f.cat.RecordDrill(context.Background(), d); err != nil {
		f.t.Fatal(err)
	}
}

// age sets the modification time of the object at key.
func (f *fixture) age(key string, mt time.Time) {
	f.t.Helper()
	if err := os.Chtimes(filepath.Join(f.dir, filepath.FromSlash(key)), mt, mt); err != nil {
		f.t.Fatal(err)
	}
}

// tree returns every file under the store directory with its modification time, temp files included.
func (f *fixture) tree() map[string]time.Time {
	f.t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(f.dir, p)
		out[filepath.ToSlash(rel)] = fi.ModTime()
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// committed lists the committed IDs, newest first.
func (f *fixture) committed() []string {
	f.t.Helper()
	ix, err := f.cat.Scan(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return ix.Committed()
}

func opts(p retention.Policy) Options {
	return Options{Policy: p, Now: func() time.Time { return now }}
}

// hours returns n backup times an hour apart from base, oldest first.
func hours(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = base.Add(time.Duration(i) * time.Hour)
	}
	return out
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
