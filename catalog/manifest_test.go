package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/filetest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestCheckPlace commits a manifest to a real file store, edits the stored JSON as someone with
// access to the store could, reads it back and checks it against the key it was read from.
func TestCheckPlace(t *testing.T) {
	id := NewID(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 42)
	other := NewID(time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC), 43)
	cases := []struct {
		name      string
		edit      func(m map[string]any)
		field     string // named in the error; "" for no error
		misplaced bool   // the error is ErrMisplaced
	}{
		{"as written", func(map[string]any) {}, "", false},
		{"id", func(m map[string]any) { m["id"] = other }, `id "` + other + `"`, true},
		{"cluster_name", func(m map[string]any) { m["cluster_name"] = "c2" }, `cluster_name "c2"`, true},
		{"object.key", func(m map[string]any) { obj(m)["key"] = "c1/snapshots/" + other + SuffixZstdPGP }, "object.key", true},
		{"object.key suffix", func(m map[string]any) { obj(m)["compression"] = CompressionNone }, "object.key", true},
		{"compression", func(m map[string]any) { obj(m)["compression"] = "lz4" }, `object.compression "lz4"`, false},
		{"encryption", func(m map[string]any) { obj(m)["encryption"] = "age" }, `object.encryption "age"`, false},
		{"kit.key", func(m map[string]any) { m["kit"].(map[string]any)["key"] = "c1/snapshots/" + other + SuffixKit }, "kit.key", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			cat := New(openFileStore(t, dir), "c1")
			m := &Manifest{Format: Format, ID: id, ClusterName: "c1", Snapshot: SnapshotInfo{Revision: 42},
				Object: ObjectInfo{Key: cat.Layout.DataKey(id, SuffixZstdPGP), Compression: CompressionZstd,
					Encryption: EncryptionPGP}, Kit: &KitInfo{Key: cat.Layout.KitKey(id), Files: 3}}
			if err := cat.Commit(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			key := cat.Layout.ManifestKey(id)
			p := filepath.Join(dir, filepath.FromSlash(key))
			filetest.EditJSON(t, p, p, c.edit)
			_, err := cat.Get(context.Background(), id) // Get checks the place of what it reads
			if c.field == "" {
				if err != nil {
					t.Fatalf("CheckPlace of an unedited manifest: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Get = %v, want ErrDamaged", err)
			}
			if err == nil || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), key) {
				t.Fatalf("CheckPlace = %v, want an error naming %s and %s", err, c.field, key)
			}
			if errors.Is(err, ErrMisplaced) != c.misplaced {
				t.Fatalf("CheckPlace = %v: ErrMisplaced %v, want %v", err, !c.misplaced, c.misplaced)
			}
		})
	}
}

func obj(m map[string]any) map[string]any { return m["object"].(map[string]any) }

func openFileStore(t *testing.T, dir string) storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), "file://"+dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
