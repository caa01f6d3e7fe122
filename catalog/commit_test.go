package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestCommitIsCreateOnly: on an object store, a manifest never replaces another writer's under the
// same ID; writing this run's own manifest again, after a write given up on, succeeds.
func TestCommitIsCreateOnly(t *testing.T) {
	ctx := context.Background()
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	s, err := storage.Open(ctx, m.URL(m.NewBucket(t), "etcd"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(s, "c1")
	id := NewUniqueID(time.Now(), 7)
	manifest := func(sum string) *Manifest {
		return &Manifest{Format: Format, ID: id, ClusterName: "c1",
			Object: ObjectInfo{Key: c.Layout.DataKey(id, SuffixZstdPGP), SHA256: sum, Compression: CompressionZstd,
				Encryption: EncryptionPGP}}
	}
	mine := manifest("aa")
	if err := c.Commit(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx, mine); err != nil {
		t.Fatalf("committing the same manifest again: %v", err)
	}
	err = c.Commit(ctx, manifest("bb"))
	if !errors.Is(err, ErrTaken) || !errors.Is(err, storage.ErrExists) {
		t.Fatalf("another writer's commit of %s = %v, want ErrTaken", id, err)
	}
	if got, err := c.Get(ctx, id); err != nil || got.Object.SHA256 != "aa" {
		t.Fatalf("Get = %+v, %v; want the first writer's manifest", got, err)
	}
}
