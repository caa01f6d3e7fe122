package storage

import (
	"context"
	"fmt"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"go.uber.org/zap/zaptest"
)

// opener returns a conformance open function: each call opens a new store
// at its own path of one bucket, given by url(path).
func opener(url func(path string) string, o Options) func(t *testing.T) Store {
	n := 0
	return func(t *testing.T) Store {
		t.Helper()
		n++
		return openStore(t, url(fmt.Sprintf("store-%d/etcd", n)), o)
	}
}

// openStore opens rawURL and closes it when the test ends.
func openStore(t testing.TB, rawURL string, o Options) Store {
	t.Helper()
	if o.Logger == nil {
		o.Logger = zaptest.NewLogger(t)
	}
	s, err := Open(context.Background(), rawURL, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", Redact(rawURL), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestS3Conformance(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	runConformance(t, opener(func(p string) string { return m.URL(bucket, p) }, Options{}))
}

func TestGCSConformance(t *testing.T) {
	g := storagetest.StartFakeGCS(t)
	g.Env(t)
	bucket := g.NewBucket(t)
	runConformance(t, opener(func(p string) string { return g.URL(bucket, p) }, Options{}))
}

func TestAzureConformance(t *testing.T) {
	a := storagetest.StartAzurite(t, nil)
	a.Env(t)
	c := a.NewContainer(t)
	runConformance(t, opener(func(p string) string { return a.URL(c, p) }, Options{}))
}
