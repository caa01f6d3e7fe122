package verify

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestMain(m *testing.M) {
	snapstat.RunChild()
	RunChild()
	code := m.Run()
	gpgtest.Cleanup()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// fixture is an etcd member with Kubernetes-like keys (and /backup-marker, outside /registry/), a file store and the options to back it up.
type fixture struct {
	t      testing.TB
	member *etcdtest.Member
	etcd   *clientv3.Client
	client *cluster.Client
	keys   []string
	dir    string
	cat    *catalog.Catalog
	id     *crypto.Identity
	bopts  backup.Options
}

// newFixture fills a member with nkeys keys of about valueSize bytes. encrypt picks OpenPGP with zstd;
// otherwise the backup is stored plain and uncompressed.
func newFixture(t testing.TB, nkeys, valueSize int, encrypt bool) *fixture {
	t.Helper()
	m := etcdtest.Start(t, etcdtest.Options{})
	f := &fixture{t: t, member: m, dir: t.TempDir(), etcd: m.Client(t)}
	f.keys = etcdtest.Fill(t, f.etcd, nkeys, valueSize, 3)
	c, err := cluster.New(cluster.Options{Endpoints: []string{m.Endpoint}, DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f.client = c
	s, err := storage.Open(context.Background(), "file://"+filepath.Join(f.dir, "store"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.cat = catalog.New(s, "c1")
	f.bopts = backup.Options{Cluster: "c1", SpoolDir: filepath.Join(f.dir, "spool"),
		Compression: catalog.CompressionNone, Destinations: []*catalog.Catalog{f.cat}, ToolVersion: "test"}
	if encrypt {
		key := gpgtest.NewKey(t, "verify", "future-default", "pass word")
		if f.bopts.Recipients, err = crypto.LoadRecipients([]string{key.PublicFile}); err != nil {
			t.Fatal(err)
		}
		if f.id, err = crypto.LoadIdentity(key.SecretFile, key.PassphraseFile); err != nil {
			t.Fatal(err)
		}
		f.bopts.Compression = catalog.CompressionZstd
	}
	return f
}

// backup writes one key, so that the revision and the ID are new, and takes one backup.
func (f *fixture) backup() *catalog.Manifest {
	f.t.Helper()
	if _, err := f.etcd.Put(context.Background(), "/backup-marker", time.Now().String()); err != nil {
		f.t.Fatal(err)
	}
	res, err := backup.Run(context.Background(), f.client, f.bopts)
	if err != nil {
		f.t.Fatalf("backup: %v", err)
	}
	return res.Manifest
}

func (f *fixture) options() Options {
	return Options{Catalog: f.cat, Identity: f.id, ScratchDir: filepath.Join(f.dir, "scratch"), ToolVersion: "test"}
}

// storedPath is the file of the backup's data object.
func (f *fixture) storedPath(m *catalog.Manifest) string {
	return filepath.Join(f.dir, "store", filepath.FromSlash(m.Object.Key))
}
