package replay

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// testTimeout bounds one call to etcd in tests.
const testTimeout = 30 * time.Second

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// saveSnapshot writes c's snapshot stream, sha256 trailer included, to path.
func saveSnapshot(t testing.TB, c *clientv3.Client, path string) {
	t.Helper()
	rc, err := c.Snapshot(testCtx(t))
	if err != nil {
		t.Fatalf("open snapshot stream: %v", err)
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatalf("read snapshot stream: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close %s: %v", path, err)
	}
	if fi, _ := os.Stat(path); !hasTrailer(fi.Size()) {
		t.Fatalf("snapshot %s of %d bytes has no sha256 trailer", path, fi.Size())
	}
}

// copyFile copies src to a new file in dir and returns its path.
func copyFile(t testing.TB, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatalf("write %s: %v", dst, err)
	}
	return dst
}

// keyspace returns every key c serves at rev (0: the current one) and the revision it answered at.
func keyspace(t testing.TB, c *clientv3.Client, rev int64) ([]*mvccpb.KeyValue, int64) {
	t.Helper()
	resp, err := c.Get(testCtx(t), "", clientv3.WithPrefix(), clientv3.WithRev(rev))
	if err != nil {
		t.Fatalf("read the keyspace at revision %d: %v", rev, err)
	}
	return resp.Kvs, resp.Header.Revision
}

// restoreAndStart restores db as etcdutl does after a replay (no hash check) and starts a member on it.
func restoreAndStart(t testing.TB, db string) *etcdtest.Member {
	t.Helper()
	const name = "restored"
	dir := filepath.Join(t.TempDir(), name+".etcd")
	peer := "http://127.0.0.1:" + strconv.Itoa(etcdtest.FreePort(t))
	err := snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath: db, Name: name, OutputDataDir: dir, PeerURLs: []string{peer},
		InitialCluster: name + "=" + peer, InitialClusterToken: "replayed", SkipHashCheck: true,
	})
	if err != nil {
		t.Fatalf("restore %s: %v", db, err)
	}
	return etcdtest.StartDataDir(t, dir, name, peer)
}

// openT opens path for replay or fails the test; the database is closed on cleanup.
func openT(t testing.TB, path string, o Options) *DB {
	t.Helper()
	d, err := Open(path, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}
