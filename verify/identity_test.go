package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/filetest"
)

// TestManifestIdentity edits a stored manifest so that what it says about itself no longer
// matches where it is, reads it back as every command does, and verifies it: the verification
// fails and names the field.
func TestManifestIdentity(t *testing.T) {
	f := newFixture(t, 200, 256, true)
	cases := []struct {
		name  string
		forge func(t *testing.T, m *catalog.Manifest) string // edits the store, returns the ID to read
		want  string
		quick bool // quick verification sees it too
	}{
		{"cluster_name", func(t *testing.T, m *catalog.Manifest) string {
			f.editManifest(t, m.ID, m.ID, func(j map[string]any) { j["cluster_name"] = "other" })
			return m.ID
		}, `cluster_name "other"`, true},
		{"id", func(t *testing.T, m *catalog.Manifest) string {
			f.editManifest(t, m.ID, m.ID, func(j map[string]any) { j["id"] = laterID(t, m, 0) })
			return m.ID
		}, "object.key", true},
		{"id revision", func(t *testing.T, m *catalog.Manifest) string {
			// the whole backup renamed to claim a later revision, data object and all
			id := laterID(t, m, 1000)
			key := f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP)
			f.editManifest(t, m.ID, id, func(j map[string]any) {
				j["id"] = id
				j["object"].(map[string]any)["key"] = key
			})
			if err := os.Rename(f.storedPath(m), filepath.Join(f.dir, "store", key)); err != nil {
				t.Fatal(err)
			}
			return id
		}, "id revision mismatch", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := c.forge(t, f.backup())
			m, err := f.cat.Get(context.Background(), id)
			if c.quick { // the catalog refuses it as it reads it; verification must too, on its own
				if !errors.Is(err, catalog.ErrMisplaced) || !strings.Contains(err.Error(), f.cat.Layout.ManifestKey(id)) {
					t.Fatalf("Get: %v, want catalog.ErrMisplaced naming the manifest", err)
				}
				m = rawManifest(t, filepath.Join(f.dir, "store", f.cat.Layout.ManifestKey(id)))
			} else if err != nil {
				t.Fatal(err)
			}
			runs := map[string]func(context.Context, Options, *catalog.Manifest) (*catalog.Drill, error){"deep": Deep}
			if c.quick {
				runs["quick"] = Quick
			}
			for name, run := range runs {
				_, err := run(context.Background(), f.options(), m)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("%s: %v, want an error naming %s", name, err, c.want)
				}
				if c.quick && !errors.Is(err, catalog.ErrMisplaced) {
					t.Fatalf("%s: %v is not catalog.ErrMisplaced", name, err)
				}
			}
		})
	}
}

// laterID is the ID of a backup taken an hour after m, at m's revision plus drev.
func laterID(t *testing.T, m *catalog.Manifest, drev int64) string {
	t.Helper()
	at, rev, err := catalog.ParseID(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return catalog.NewID(at.Add(time.Hour), rev+drev)
}

// editManifest rewrites the stored manifest of id through edit, and stores it as the manifest of to.
func (f *fixture) editManifest(t *testing.T, id, to string, edit func(map[string]any)) {
	t.Helper()
	path := func(id string) string {
		return filepath.Join(f.dir, "store", filepath.FromSlash(f.cat.Layout.ManifestKey(id)))
	}
	filetest.EditJSON(t, path(id), path(to), edit)
	if to != id {
		os.Remove(path(id))
	}
}

// rawManifest decodes the manifest file at path, as it is, past the catalog's checks.
func rawManifest(t *testing.T, path string) *catalog.Manifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := catalog.DecodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
