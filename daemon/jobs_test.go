package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/prune"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
	"github.com/etcd-backupd/etcd-backupd/storage"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

func TestMain(m *testing.M) {
	snapstat.RunChild()
	verify.RunChild()
	os.Exit(m.Run())
}

// jobsFixture is a real etcd and two file destinations.
type jobsFixture struct {
	etcd  *cluster.Client
	dests *catalog.Set
	dir   string
}

func newJobsFixture(t *testing.T) *jobsFixture {
	t.Helper()
	m := etcdtest.Start(t, etcdtest.Options{})
	etcdtest.Fill(t, m.Client(t), 200, 256, 1)
	c, err := cluster.New(cluster.Options{Endpoints: []string{m.Endpoint}, DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f := &jobsFixture{etcd: c, dir: t.TempDir()}
	var cats []*catalog.Catalog
	for _, name := range []string{"a", "b"} {
		s, err := storage.Open(context.Background(), "file://"+filepath.Join(f.dir, name), storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cats = append(cats, catalog.New(s, "c1"))
	}
	f.dests = catalog.NewSet(cats, nil, zap.NewNop())
	t.Cleanup(func() { f.dests.Close() })
	return f
}

func (f *jobsFixture) config() Config {
	return Config{
		Cluster:   "c1",
		Backup:    backup.Options{Cluster: "c1", SpoolDir: filepath.Join(f.dir, "spool"), Compression: "zstd"},
		Retention: &prune.Options{Policy: retention.Policy{KeepLast: 1}},
		Drill:     verify.Options{ScratchDir: filepath.Join(f.dir, "drill")},
	}
}

// TestJobs runs the daemon's jobs on a real etcd: each backup commits at both destinations and
// retention keeps the newest; the drill verifies it at both and records it there.
func TestJobs(t *testing.T) {
	ctx := context.Background()
	f := newJobsFixture(t)
	c := f.config()
	c.DrillSchedule = every(time.Hour)
	d := New(c, Deps{Etcd: f.etcd, Destinations: f.dests, Logger: zap.NewNop()})
	var last *backup.Result
	for i := range 2 {
		if _, err := f.etcd.Etcd().Put(ctx, "/registry/configmaps/default/x", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		res, err := d.Backup.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last = res
	}
	for _, cat := range f.dests.All() {
		ms, err := cat.List(ctx)
		if err != nil || len(ms) != 1 || ms[0].ID != last.Manifest.ID {
			t.Fatalf("%s holds %v, %v; want only %s", cat.Store, ms, err, last.Manifest.ID)
		}
	}
	if got := testutil.ToFloat64(d.Metrics.RetentionDeleted); got != 2 {
		t.Fatalf("retention deleted %v, want one backup at each destination", got)
	}
	if err := d.Drill.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, cat := range f.dests.All() {
		drills, err := cat.LastDrills(ctx)
		if got := drills[last.Manifest.ID]; err != nil || got == nil || !got.OK || got.Mode != catalog.ModeDeep {
			t.Fatalf("%s records %+v, %v; want a deep drill of %s", cat.Store, got, err, last.Manifest.ID)
		}
	}
	if got := testutil.ToFloat64(d.Metrics.Verifies.WithLabelValues("success")); got != 1 {
		t.Fatalf("verify_total{success} = %v", got)
	}
}

// TestLeadership: of two daemons with HA, one leads, under <prefix><cluster>/leader, and only it
// runs the jobs.
func TestLeadership(t *testing.T) {
	f := newJobsFixture(t)
	c := f.config()
	c.BackupSchedule = every(50 * time.Millisecond)
	c.HA = &HA{Prefix: "/eb/", TTL: 2 * time.Second}
	type running struct {
		d    *Daemon
		stop context.CancelFunc
		done chan error
	}
	var ds []running
	for i := range 2 {
		c.Backup.SpoolDir = filepath.Join(f.dir, fmt.Sprint("spool", i)) // two nodes
		d := New(c, Deps{Etcd: f.etcd, Destinations: f.dests, Logger: zap.NewNop()})
		stop, cancel := context.WithCancel(context.Background())
		r := running{d: d, stop: cancel, done: make(chan error, 1)}
		go func() { r.done <- d.Run(stop, stop, nil) }()
		ds = append(ds, r)
	}
	defer func() {
		for _, r := range ds {
			r.stop()
			<-r.done
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		leaders := testutil.ToFloat64(ds[0].d.Metrics.Leader) + testutil.ToFloat64(ds[1].d.Metrics.Leader)
		resp, err := f.etcd.Etcd().Get(context.Background(), LeaderKey("/eb/", "c1"), clientv3.WithPrefix())
		if leaders == 1 && err == nil && resp.Count == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v leaders, %v campaigners under %s (%v)", leaders, resp, LeaderKey("/eb/", "c1"), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	var backups [2]float64
	for i, r := range ds {
		backups[i] = testutil.ToFloat64(r.d.Metrics.Backups.WithLabelValues("success"))
	}
	if (backups[0] > 0) == (backups[1] > 0) {
		t.Fatalf("backups by daemon %v: want only the leader's", backups)
	}
}
