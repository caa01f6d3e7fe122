package verify

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/k8sdata"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// benchData is one backup of a database of ETCD_BACKUPD_BENCH_MB megabytes (default 64), and its
// plain snapshot, shared by the benchmarks.
type benchData struct {
	f     *fixture
	m     *catalog.Manifest
	plain string
}

var (
	benchOnce sync.Once
	bench     *benchData
	benchDir  string // removed by TestMain
)

func benchFixture(b *testing.B) *benchData {
	benchOnce.Do(func() {
		mb := 64
		if v, err := strconv.Atoi(os.Getenv("ETCD_BACKUPD_BENCH_MB")); err == nil && v > 0 {
			mb = v
		}
		f := newFixture(b, 0, 0, true)
		fillTo(b, f, int64(mb)<<20)
		d := &benchData{f: f, m: f.backup()}
		keep(b, f)
		d.plain = filepath.Join(f.dir, "plain.db")
		if _, err := FetchFile(context.Background(), f.options(), d.m, d.plain); err != nil {
			b.Fatal(err)
		}
		b.Logf("database %d MiB, %d keys, stored %d MiB", d.m.Snapshot.Size>>20, d.m.Snapshot.TotalKeys, d.m.Object.Size>>20)
		bench = d
	})
	if bench == nil {
		b.Fatal("no bench fixture")
	}
	return bench
}

// keep moves the fixture's store out of the first benchmark's temp dir, for the others.
func keep(b *testing.B, f *fixture) {
	dir, err := os.MkdirTemp("", "verify-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchDir = dir
	if err := os.Rename(filepath.Join(f.dir, "store"), filepath.Join(dir, "store")); err != nil {
		b.Fatal(err)
	}
	s, err := storage.Open(context.Background(), "file://"+filepath.Join(dir, "store"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f.dir, f.cat = dir, catalog.New(s, "c1")
}

// fillTo writes Kubernetes-like keys of 4 KiB until the database reaches size bytes.
func fillTo(t testing.TB, f *fixture, size int64) {
	ctx := context.Background()
	for seed := int64(1); ; seed++ {
		st, err := f.etcd.Status(ctx, f.member.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		if st.DbSize >= size {
			return
		}
		if _, err := k8sdata.Load(ctx, f.etcd, 2048, 4096, seed); err != nil {
			t.Fatal(err)
		}
	}
}

// serveOnce starts a member with etcd's default settings on a restored dir, reads the key count
// and stops it.
func serveOnce(b *testing.B, dir string, want int) {
	cfg, level, err := memberConfig(zap.NewNop(), dir, drillName, drillPeerURL, filepath.Dir(dir))
	if err != nil {
		b.Fatal(err)
	}
	m, err := startMember(context.Background(), cfg, level)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	s, err := m.survey(context.Background())
	if err != nil || s.Keys != int64(want) {
		b.Fatalf("served %d keys, want %d: %v", s.Keys, want, err)
	}
}

func restoreOptions(dir string) RestoreOptions {
	return RestoreOptions{DataDir: dir, Name: drillName, PeerURLs: []string{drillPeerURL},
		InitialCluster: drillName + "=" + drillPeerURL, InitialClusterToken: "bench"}
}

// BenchmarkRTO is `restore latest` from the file store to a serving etcd.
func BenchmarkRTO(b *testing.B) {
	d := benchFixture(b)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "data")
		if _, err := Restore(context.Background(), d.f.options(), d.m, restoreOptions(dir)); err != nil {
			b.Fatal(err)
		}
		serveOnce(b, dir, d.m.Snapshot.TotalKeys)
	}
	b.ReportMetric(float64(d.m.Snapshot.Size)/(1<<20), "MiB")
}

// BenchmarkEtcdutlRTO is etcdutl snapshot restore of the plain file, then the same etcd start.
func BenchmarkEtcdutlRTO(b *testing.B) {
	d := benchFixture(b)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "data")
		ro := restoreOptions(dir)
		err := snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{SnapshotPath: d.plain, Name: ro.Name,
			OutputDataDir: dir, PeerURLs: ro.PeerURLs, InitialCluster: ro.InitialCluster, InitialClusterToken: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		serveOnce(b, dir, d.m.Snapshot.TotalKeys)
	}
}

// BenchmarkRestore is `restore latest` alone: verified download, restore, move into place.
func BenchmarkRestore(b *testing.B) {
	d := benchFixture(b)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "data")
		if _, err := Restore(context.Background(), d.f.options(), d.m, restoreOptions(dir)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeep is `verify --deep`.
func BenchmarkDeep(b *testing.B) {
	d := benchFixture(b)
	for b.Loop() {
		dr, err := Deep(context.Background(), d.f.options(), d.m)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("deep steps %v", dr.Steps)
	}
}

// BenchmarkQuick is `verify`: download, decrypt, decompress and check.
func BenchmarkQuick(b *testing.B) {
	d := benchFixture(b)
	start := time.Now()
	for b.Loop() {
		if _, err := Quick(context.Background(), d.f.options(), d.m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.m.Snapshot.Size)*float64(b.N)/(1<<20)/time.Since(start).Seconds(), "MiB/s")
}
