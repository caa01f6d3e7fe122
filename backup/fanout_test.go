package backup

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// flaky is a real store whose first writes fail, as a destination that is down for a while.
type flaky struct {
	storage.Store
	failures atomic.Int32 // writers still to fail
}

func (f *flaky) NewWriter(ctx context.Context, key string, o ...storage.WriteOptions) (storage.Writer, error) {
	w, err := f.Store.NewWriter(ctx, key, o...)
	if err != nil || f.failures.Add(-1) < 0 {
		return w, err
	}
	return &brokenWriter{w}, nil
}

type brokenWriter struct{ storage.Writer }

func (b *brokenWriter) Write(p []byte) (int, error) { return 0, errors.New("connection reset by peer") }

func (f *fixture) addDest(t *testing.T, failures int32) *flaky {
	t.Helper()
	s, err := storage.Open(context.Background(), "file://"+filepath.Join(t.TempDir(), "second"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fl := &flaky{Store: s}
	fl.failures.Store(failures)
	f.opts.Destinations = append(f.opts.Destinations, catalog.New(fl, "c1"))
	f.opts.RetryBackoff = 10 * time.Millisecond
	return fl
}

func TestRetryFromSpool(t *testing.T) {
	f := newFixture(t, 300)
	f.addDest(t, 2) // the live upload and the first retry fail
	res, err := Run(context.Background(), f.client, f.opts)
	if err != nil || res.Err() != nil {
		t.Fatalf("Run: %v, %v", err, res.Err())
	}
	for i, c := range f.opts.Destinations {
		m, err := c.Resolve(context.Background(), "latest")
		if err != nil || m.ID != res.Manifest.ID {
			t.Fatalf("destination %d: %v", i, err)
		}
		checkObject(t, c, m)
		// The retry sends the spooled bytes themselves, not a new encryption of the snapshot.
		if m.Object.SHA256 != res.Manifest.Object.SHA256 || m.Object.Size != res.Manifest.Object.Size {
			t.Fatalf("destination %d stores %s (%d bytes), the first %s (%d bytes)", i,
				m.Object.SHA256, m.Object.Size, res.Manifest.Object.SHA256, res.Manifest.Object.Size)
		}
	}
}

func TestOneDestinationFails(t *testing.T) {
	f := newFixture(t, 300)
	f.addDest(t, 100)
	res, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Dests[0].Err != nil || res.Dests[1].Err == nil || !strings.Contains(res.Err().Error(), "connection reset") {
		t.Fatalf("dest results %+v", res.Dests)
	}
	if _, err := f.opts.Destinations[0].Resolve(context.Background(), "latest"); err != nil {
		t.Fatalf("the healthy destination has no backup: %v", err)
	}
	if ms, _ := f.opts.Destinations[1].List(context.Background()); len(ms) != 0 {
		t.Fatalf("the failed destination lists %d backups", len(ms))
	}
}

// checkObject reads the stored object back and compares its size and sha256 with the manifest.
func checkObject(t *testing.T, c *catalog.Catalog, m *catalog.Manifest) {
	t.Helper()
	r, err := c.Store.NewReader(context.Background(), m.Object.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := newHash()
	n, err := io.Copy(h, r)
	if err != nil || n != m.Object.Size || h.sum() != m.Object.SHA256 {
		t.Fatalf("%s: %d bytes %s, manifest %d %s", m.Object.Key, n, h.sum(), m.Object.Size, m.Object.SHA256)
	}
}

// TestHealthyDestinationCommitsBeforeRetries: a destination that keeps failing, retried until the
// snapshot timeout runs out, does not cost the healthy one its backup.
func TestHealthyDestinationCommitsBeforeRetries(t *testing.T) {
	f := newFixture(t, 300)
	f.addDest(t, 100)
	f.opts.RetryBackoff, f.opts.SnapshotTimeout = 2*time.Second, 3*time.Second
	res, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Dests[0].Err != nil || res.Dests[1].Err == nil {
		t.Fatalf("dest results %+v", res.Dests)
	}
	m, err := f.opts.Destinations[0].Resolve(context.Background(), "latest")
	if err != nil || m.ID != res.Manifest.ID {
		t.Fatalf("the healthy destination has no backup: %v", err)
	}
	checkObject(t, f.opts.Destinations[0], m)
}
