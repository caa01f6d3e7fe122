package backup

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// testStall is the stall period of the hung destination; the run must end long before the
// snapshot timeout, which is all that bounded it before.
const (
	testStall       = 2 * time.Second
	testSnapTimeout = 60 * time.Second
	hungRunBound    = 30 * time.Second
)

// TestHungDestinationIsDropped pauses MinIO (SIGSTOP) while a backup streams, before it commits the
// data object, or before it writes the manifest. The file destination must commit, MinIO must be
// dropped with an error naming the step and the destination, the run must end in bounded time, and
// once MinIO runs again the next backup must commit at both.
func TestHungDestinationIsDropped(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	for _, c := range []struct {
		name string
		step string // what the first error must say
	}{
		{"stream", "upload c1/snapshots/"},
		{"commit", "commit c1/snapshots/"},
		{"manifest", "commit manifest "},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHung(t, m, c.name)
			start := time.Now()
			res, err := Run(context.Background(), h.src, h.f.opts)
			took := time.Since(start)
			m.Resume(t)
			if err != nil {
				t.Fatalf("Run: %v (after %s)", err, took)
			}
			if took > hungRunBound {
				t.Fatalf("the run took %s with a destination hung for good; stall period %s", took, testStall)
			}
			s3 := h.f.opts.Destinations[0]
			t.Logf("run took %s; MinIO: %v", took, res.Dests[0].Err)
			if res.Dests[1].Err != nil || res.Dests[0].Err == nil {
				t.Fatalf("dest results %+v", res.Dests)
			}
			h.wantDropped(t, c.step, s3.Store.String())
			got, err := h.f.opts.Destinations[1].Resolve(context.Background(), "latest")
			if err != nil || got.ID != res.Manifest.ID {
				t.Fatalf("the file destination has no backup: %v", err)
			}
			checkObject(t, h.f.opts.Destinations[1], got)
			if c.name != "manifest" { // a manifest PUT the paused server held may land once it runs
				if ok, err := s3.Committed(context.Background(), res.Manifest.ID); ok || err != nil {
					t.Fatalf("MinIO holds the dropped backup: %v, %v", ok, err)
				}
			}
			again, err := Run(context.Background(), h.f.client, h.f.opts)
			if err != nil || again.Err() != nil {
				t.Fatalf("backup after MinIO resumed: %v, %v", err, again.Err())
			}
			for _, d := range h.f.opts.Destinations {
				got, err := d.Get(context.Background(), again.Manifest.ID)
				if err != nil {
					t.Fatal(err)
				}
				checkObject(t, d, got)
			}
		})
	}
}

// hung is a backup to MinIO, first, and the file store, with MinIO paused at one step.
type hung struct {
	f     *fixture
	src   Source
	pause func()
	logs  *observer.ObservedLogs
}

func newHung(t *testing.T, m *storagetest.MinIO, at string) *hung {
	h := &hung{f: newFixture(t, 300)}
	var once sync.Once
	h.pause = func() { once.Do(func() { m.Pause(t) }) }
	s, err := storage.Open(context.Background(), m.URL(m.NewBucket(t), "etcd"),
		storage.Options{StallTimeout: testStall, PartSize: 5 << 20, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	var s3 storage.Store = s
	h.src = h.f.client
	switch at {
	case "stream":
		// Enough plain bytes to fill every buffer between the stream and the paused server.
		etcdtest.Fill(t, h.f.member.Client(t), 4000, 10_000, 8)
		h.f.opts.Compression, h.f.opts.Recipients = catalog.CompressionNone, nil
		h.src = pausingSource{h.f.client, 1 << 20, func() { h.pause() }}
	case "commit":
		h.pause() // the stored stream fits in one part: the upload starts at Commit
	case "manifest":
		s3 = &pauseOnManifest{blobLike: s.(blobLike), pause: func() { h.pause() }}
	}
	core, logs := observer.New(zap.WarnLevel)
	h.logs = logs
	h.f.opts.Logger = zap.New(core)
	h.f.opts.Destinations = append([]*catalog.Catalog{catalog.New(s3, "c1")}, h.f.opts.Destinations...)
	h.f.opts.Retries, h.f.opts.RetryBackoff, h.f.opts.SnapshotTimeout = 1, 10*time.Millisecond, testSnapTimeout
	return h
}

// wantDropped checks that the first failure named the step, the destination and the stall.
func (h *hung) wantDropped(t *testing.T, step, url string) {
	t.Helper()
	for _, e := range h.logs.FilterMessage("upload failed; retrying from the spool").All() {
		msg := e.ContextMap()["error"].(string)
		if !strings.HasPrefix(msg, step) || !strings.Contains(msg, " to "+url+": no progress for 2s: dropped") {
			t.Fatalf("first error %q, want %q ... to %s: no progress for 2s: dropped", msg, step, url)
		}
		return
	}
	t.Fatalf("no retry logged; logs: %v", h.logs.All())
}

// pausingSource calls pause once the snapshot stream has passed after bytes.
type pausingSource struct {
	*cluster.Client
	after int64
	pause func()
}

func (s pausingSource) Snapshot(ctx context.Context, m cluster.Member) (*cluster.Snapshot, error) {
	snap, err := s.Client.Snapshot(ctx, m)
	if err != nil {
		return nil, err
	}
	snap.TrailerReader = cluster.NewTrailerReader(&pauser{r: snap.TrailerReader, after: s.after, pause: s.pause})
	return snap, nil
}

type pauser struct {
	r     io.Reader
	after int64
	n     int64
	pause func()
}

func (p *pauser) Read(b []byte) (int, error) {
	k, err := p.r.Read(b)
	if p.n += int64(k); p.n > p.after {
		p.pause()
	}
	return k, err
}

// blobLike is the real S3 store, with the optional methods a wrapper must pass on.
type blobLike interface {
	storage.Store
	StallTimeout() time.Duration
	LastProgress() time.Time
}

// pauseOnManifest pauses the server as the manifest write starts, after the data object committed.
type pauseOnManifest struct {
	blobLike
	pause func()
}

func (p *pauseOnManifest) NewWriter(ctx context.Context, key string, o ...storage.WriteOptions) (storage.Writer, error) {
	if strings.HasSuffix(key, ".json") {
		p.pause()
	}
	return p.blobLike.NewWriter(ctx, key, o...)
}
