package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestCreateOnly: a write with IfNotExist commits a new key and fails with ErrExists on one that
// exists, leaving it as it was, on every object store, for a single PUT and for a multipart upload.
func TestCreateOnly(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	mb := m.NewBucket(t)
	g := storagetest.StartFakeGCS(t)
	g.Env(t)
	gb := g.NewBucket(t)
	a := storagetest.StartAzurite(t, nil)
	a.Env(t)
	ac := a.NewContainer(t)
	for name, url := range map[string]string{"s3": m.URL(mb, "etcd"), "gs": g.URL(gb, "etcd"), "azblob": a.URL(ac, "etcd"),
		"file": "file://" + filepath.Join(t.TempDir(), "etcd")} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, url, Options{PartSize: 5 << 20})
			for _, size := range []int{100, 12 << 20} {
				key := "c1/snapshots/" + time.Now().Format("150405.000000") + ".json"
				first := randomBytes(t, size)
				if err := create(s, key, first); err != nil {
					t.Fatalf("create %s (%d bytes): %v", key, size, err)
				}
				err := create(s, key, randomBytes(t, size))
				if !errors.Is(err, ErrExists) {
					t.Fatalf("second create of %s (%d bytes) = %v, want ErrExists", key, size, err)
				}
				if got := get(t, s, key); !bytes.Equal(got, first) {
					t.Fatalf("%s was replaced", key)
				}
			}
		})
	}
}

func create(s Store, key string, data []byte) error {
	w, err := s.NewWriter(context.Background(), key, WriteOptions{IfNotExist: true})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

// TestAbortHungServer: aborting an upload to a server that stopped answering (SIGSTOP) returns in
// bounded time, whatever the multipart clean-up would wait for.
func TestAbortHungServer(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	s := openStore(t, m.URL(m.NewBucket(t), "etcd"), Options{PartSize: 5 << 20, Concurrency: 1})
	w, err := s.NewWriter(context.Background(), "c1/snapshots/hung.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 6<<20)); err != nil { // past one part: a multipart upload
		t.Fatal(err)
	}
	m.Pause(t)
	defer m.Resume(t)
	start := time.Now()
	w.Abort()
	t.Logf("Abort took %s", time.Since(start))
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("Abort took %s on a hung server, want well under the 30s it took", took)
	}
}
