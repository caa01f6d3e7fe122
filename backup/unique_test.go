package backup

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestTwoWritersSameSecond runs two backups of an idle cluster at once, as two nodes without HA
// whose schedules fire in the same second: same revision, same clock. They must end as two
// committed backups, or one committed and the other failing: never two reports of one backup.
func TestTwoWritersSameSecond(t *testing.T) {
	f := newFixture(t, 50)
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	s3, err := storage.Open(context.Background(), m.URL(m.NewBucket(t), "etcd"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.opts.Destinations = append(f.opts.Destinations, catalog.New(s3, "c1"))
	frozen := time.Now()
	f.opts.Now = func() time.Time { return frozen }
	src := &barrierSource{Client: f.client, n: 2}
	type outcome struct {
		res *Result
		err error
	}
	out := make([]outcome, 2)
	var wg sync.WaitGroup
	for i := range out {
		o := f.opts
		o.SpoolDir = filepath.Join(t.TempDir(), "spool") // each node has its own
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Run(context.Background(), src, o)
			if err == nil {
				err = res.Err()
			}
			out[i] = outcome{res, err}
		}()
	}
	wg.Wait()
	owners := map[string]int{}
	for i, o := range out {
		if o.err != nil {
			t.Logf("writer %d failed: %v", i, o.err)
			continue
		}
		owners[o.res.Manifest.ID]++
		for _, d := range f.opts.Destinations {
			got, err := d.Get(context.Background(), o.res.Manifest.ID)
			if err != nil {
				t.Fatal(err)
			}
			// The manifest there is this writer's: each encryption stores other bytes.
			if got.Object.SHA256 != o.res.Manifest.Object.SHA256 {
				t.Fatalf("writer %d reports %s committed at %s, which holds another writer's backup", i, got.ID, d.Store)
			}
			checkObject(t, d, got)
		}
	}
	for id, n := range owners {
		if n > 1 {
			t.Fatalf("%d writers report the one backup %s as committed", n, id)
		}
	}
	if len(owners) == 0 {
		t.Fatal("no writer committed")
	}
}

// barrierSource holds each snapshot until n writers asked for one, so that both name their backup
// before either commits.
type barrierSource struct {
	*cluster.Client
	n    int
	mu   sync.Mutex
	wait chan struct{}
}

func (s *barrierSource) Snapshot(ctx context.Context, m cluster.Member) (*cluster.Snapshot, error) {
	s.mu.Lock()
	if s.wait == nil {
		s.wait = make(chan struct{})
	}
	wait := s.wait
	if s.n--; s.n == 0 {
		close(wait)
	}
	s.mu.Unlock()
	select {
	case <-wait:
	case <-time.After(time.Minute):
	}
	return s.Client.Snapshot(ctx, m)
}
