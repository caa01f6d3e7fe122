package prune

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/spool"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

func exists(t *testing.T, f *fixture, key string) bool {
	t.Helper()
	_, ok := f.tree()[key]
	return ok
}

func TestSweepOrphans(t *testing.T) {
	cases := []struct {
		name          string
		age           time.Duration
		grace         time.Duration
		backupTimeout time.Duration
		swept         bool
	}{
		{"older than the default grace", 25 * time.Hour, 0, 0, true},
		{"younger than the default grace", time.Hour, 0, 0, false},
		{"grace raised to the backup timeout", 25 * time.Hour, 0, 48 * time.Hour, false},
		{"shorter grace", 3 * time.Hour, 2 * time.Hour, time.Hour, true},
		{"shorter grace below the backup timeout", 3 * time.Hour, 2 * time.Hour, 4 * time.Hour, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			for _, at := range hours(3) {
				f.backup(at)
			}
			orphan := f.cat.Layout.DataKey(f.data(now.Add(-c.age)), catalog.SuffixZstdPGP)
			f.age(orphan, now.Add(-c.age))
			stray := strays(f, catalog.NewID(now.Add(-c.age), 1))
			o := opts(retention.Policy{KeepLast: 10})
			o.Grace, o.BackupTimeout = c.grace, c.backupTimeout
			r, err := Run(context.Background(), f.cat, o)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := exists(t, f, orphan); got == c.swept {
				t.Fatalf("orphan aged %v exists=%v after prune (grace %v)", c.age, got, o.EffectiveGrace())
			}
			if got := len(r.Swept); got != map[bool]int{true: 1}[c.swept] {
				t.Fatalf("report lists %d swept objects: %+v", got, r.Swept)
			}
			for _, k := range stray {
				if !exists(t, f, k) {
					t.Fatalf("sweep removed %s, which is not ours", k)
				}
			}
			if got := len(f.committed()); got != 3 {
				t.Fatalf("%d committed backups after the sweep, want 3", got)
			}
		})
	}
}

func TestConcurrentPrunes(t *testing.T) {
	for round := range 3 {
		f := newFixture(t)
		var ids []string
		for _, at := range hours(30) {
			ids = append(ids, f.backup(at))
		}
		for _, i := range []int{2, 5, 9} {
			f.drill(ids[i], base.Add(time.Duration(i+1)*time.Hour), false)
		}
		orphan := f.cat.Layout.DataKey(f.data(base.Add(-30*time.Hour)), catalog.SuffixZstdPGP)
		f.age(orphan, now.Add(-30*time.Hour))
		stray := strays(f, ids[0])
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for g := range 2 {
			_, cat := f.open()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[g] = Run(context.Background(), cat, opts(retention.Policy{KeepLast: 3}))
			}()
		}
		wg.Wait()
		for g, err := range errs {
			if err != nil {
				t.Fatalf("round %d: prune %d: %v", round, g, err)
			}
		}
		if got := f.committed(); !sameIDs(got, ids[27:]) {
			t.Fatalf("round %d: committed %v, want %v", round, got, ids[27:])
		}
		want := map[string]bool{}
		for _, k := range stray {
			want[k] = true
		}
		for _, id := range ids[27:] {
			want[f.cat.Layout.ManifestKey(id)] = true
			want[f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP)] = true
		}
		got := f.tree()
		for k := range got {
			if !want[k] {
				t.Fatalf("round %d: %s left after two prunes", round, k)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: %d files left, want %d", round, len(got), len(want))
		}
	}
}

// countingStore counts the requests that cost money at a bucket, unfinished-write listings included.
type countingStore struct {
	storage.Store
	lists, reads, pendingLists atomic.Int32
}

func (c *countingStore) ListPending(ctx context.Context, prefix string) ([]storage.Object, error) {
	c.pendingLists.Add(1)
	return c.Store.(PendingStore).ListPending(ctx, prefix)
}

func (c *countingStore) AbortPending(ctx context.Context, key string, before time.Time) error {
	return c.Store.(PendingStore).AbortPending(ctx, key, before)
}

func (c *countingStore) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, prefix)
}

func (c *countingStore) NewReader(ctx context.Context, key string) (io.ReadCloser, error) {
	c.reads.Add(1)
	return c.Store.NewReader(ctx, key)
}

// TestOneListing checks the cost: one LIST of the snapshots folder, one of the drills folder, one of
// the journal's folder, and one of the unfinished writes in each of the snapshots and journal
// folders per destination, and drill records read newest first only until one succeeded.
func TestOneListing(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for _, at := range hours(50) {
		ids = append(ids, f.backup(at))
	}
	for _, d := range []drillSpec{{3, time.Hour, true}, {10, time.Hour, true}, {20, time.Hour, false},
		{30, time.Hour, false}, {40, time.Hour, true}, {40, 2 * time.Hour, false}} {
		f.drill(ids[d.backup], base.Add(time.Duration(d.backup)*time.Hour+d.after), d.ok)
	}
	cs := &countingStore{Store: f.store}
	r, err := Run(context.Background(), catalog.New(cs, cluster), opts(retention.Policy{KeepLast: 5}))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Backups 40, 30 and 20 have a failed last drill; 10 is the newest verified one.
	if got := cs.reads.Load(); got != 4 {
		t.Fatalf("%d drill records read, want 4", got)
	}
	if got := cs.lists.Load(); got != 3 {
		t.Fatalf("%d listings, want 3", got)
	}
	if got := cs.pendingLists.Load(); got != 2 {
		t.Fatalf("%d listings of unfinished writes, want 2", got)
	}
	if got := f.committed(); !sameIDs(got, append([]string{ids[10]}, ids[45:]...)) {
		t.Fatalf("committed %v", got)
	}
	if r.Deleted != 44 {
		t.Fatalf("deleted %d, want 44", r.Deleted)
	}
}

func TestSweepSpool(t *testing.T) {
	cases := []struct {
		name    string
		dryRun  bool
		locked  bool
		removed bool
		wantErr bool
	}{
		{"removes leftovers", false, false, true, false},
		{"dry run lists them", true, false, false, false},
		{"a running backup holds the lock", false, true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			claimed, _, err := spool.Open(dir) // a spool that earlier backups used
			if err != nil {
				t.Fatal(err)
			}
			claimed.Close()
			part, other := filepath.Join(dir, "x.db.part"), filepath.Join(dir, "notes.txt")
			for _, p := range []string{part, other} {
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if c.locked {
				s, _, err := spool.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if err := os.WriteFile(part, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			sw, err := SweepSpool(dir, c.dryRun)
			if (err != nil) != c.wantErr {
				t.Fatalf("SweepSpool: %v, want error %v", err, c.wantErr)
			}
			_, statErr := os.Stat(part)
			if gone := os.IsNotExist(statErr); gone != c.removed {
				t.Fatalf("spool file removed=%v, want %v", gone, c.removed)
			}
			if _, err := os.Stat(other); err != nil {
				t.Fatalf("a file that is not a spool file was touched: %v", err)
			}
			if !c.wantErr && (len(sw) != 1 || sw[0].Key != part || sw[0].Deleted != c.removed) {
				t.Fatalf("swept %+v", sw)
			}
		})
	}
}

func TestSweepSpoolMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	sw, err := SweepSpool(dir, false)
	if err != nil || len(sw) != 0 {
		t.Fatalf("SweepSpool: %v %v", sw, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("SweepSpool created %s", dir)
	}
}
