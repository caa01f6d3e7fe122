package verify

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestDeepAfterBumpedRestore backs up a cluster that was itself restored with a revision bump, as
// every restored Kubernetes cluster is: the bump leaves a marker under the empty key, which status
// counts and no member serves. The deep verification must pass all the same.
func TestDeepAfterBumpedRestore(t *testing.T) {
	f := newFixture(t, 200, 256, true)
	m := f.backup()
	if m.Snapshot.UnservedKeys != 0 {
		t.Fatalf("a backup of a cluster never restored counts %d unserved keys", m.Snapshot.UnservedKeys)
	}
	dir := filepath.Join(t.TempDir(), "etcd")
	peer := fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
	ro := RestoreOptions{DataDir: dir, Name: "n1", PeerURLs: []string{peer}, InitialCluster: "n1=" + peer,
		InitialClusterToken: "tok", BumpRevision: KubernetesBump, MarkCompacted: true}
	if _, err := Restore(context.Background(), f.options(), m, ro); err != nil {
		t.Fatal(err)
	}
	restored := etcdtest.StartDataDir(t, dir, "n1", peer)
	if _, err := restored.Client(t).Put(context.Background(), "/after-restore", "x"); err != nil {
		t.Fatal(err)
	}
	c, err := cluster.New(cluster.Options{Endpoints: []string{restored.Endpoint}, DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := f.bopts
	o.Destinations = []*catalog.Catalog{f.cat}
	res, err := backup.Run(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	m2 := res.Manifest
	if m2.Snapshot.UnservedKeys != 1 {
		t.Fatalf("backup of a bumped restore: unserved keys %d, want 1 (the bump's marker)", m2.Snapshot.UnservedKeys)
	}
	d, err := Deep(context.Background(), f.options(), m2)
	if err != nil || !d.OK || d.Figures["served_keys"] != int64(m2.Snapshot.TotalKeys-1) {
		t.Fatalf("deep verify of a backup of a bumped restore: %v, %+v", err, d)
	}
}
