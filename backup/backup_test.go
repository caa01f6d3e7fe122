package backup

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/spool"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestMain(m *testing.M) {
	code := m.Run()
	gpgtest.Cleanup()
	os.Exit(code)
}

// fixture is a TLS etcd member with data, a cluster client and backup options to a file store.
type fixture struct {
	member *etcdtest.Member
	client *cluster.Client
	opts   Options
	store  string
	spool  string
}

func newFixture(t *testing.T, nkeys int) *fixture { return newBenchFixture(t, nkeys) }

func newBenchFixture(t testing.TB, nkeys int) *fixture {
	t.Helper()
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki})
	etcdtest.Fill(t, m.Client(t), nkeys, 1024, 7)
	c, err := cluster.New(cluster.Options{Endpoints: []string{m.Endpoint}, CACert: pki.CACert,
		Cert: pki.ClientCert, Key: pki.ClientKey, DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	key := gpgtest.NewKey(t, "recipient", "future-default", "")
	rcpt, err := crypto.LoadRecipients([]string{key.PublicFile})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &fixture{member: m, client: c, store: filepath.Join(dir, "store"), spool: filepath.Join(dir, "spool")}
	s, err := storage.Open(context.Background(), "file://"+f.store, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.opts = Options{Cluster: "c1", SpoolDir: f.spool, Compression: catalog.CompressionZstd, Recipients: rcpt,
		Destinations: []*catalog.Catalog{catalog.New(s, "c1")}, SnapshotFrom: "follower", ToolVersion: "test"}
	return f
}

// assertClean checks that nothing was committed and the spool holds no snapshot.
func (f *fixture) assertClean(t *testing.T) {
	t.Helper()
	ms, err := f.opts.Destinations[0].List(context.Background())
	if err != nil || len(ms) != 0 {
		t.Fatalf("list after failure: %d backups, %v", len(ms), err)
	}
	ents, _ := os.ReadDir(filepath.Join(f.store, "c1", "snapshots"))
	for _, e := range ents {
		t.Fatalf("store holds %s after a failed backup", e.Name())
	}
	spooled, _ := filepath.Glob(filepath.Join(f.spool, "*"+spool.Suffix))
	if len(spooled) != 0 {
		t.Fatalf("spool holds %v", spooled)
	}
}

// corruptSource flips one byte of the real snapshot stream at offset at.
type corruptSource struct {
	*cluster.Client
	at int64
}

func (s corruptSource) Snapshot(ctx context.Context, m cluster.Member) (*cluster.Snapshot, error) {
	snap, err := s.Client.Snapshot(ctx, m)
	if err != nil {
		return nil, err
	}
	snap.TrailerReader = cluster.NewTrailerReader(&flipper{r: snap.TrailerReader, at: s.at})
	return snap, nil
}

type flipper struct {
	r  io.Reader
	at int64
	n  int64
}

func (f *flipper) Read(p []byte) (int, error) {
	k, err := f.r.Read(p)
	if f.at >= f.n && f.at < f.n+int64(k) {
		p[f.at-f.n] ^= 0x01
	}
	f.n += int64(k)
	return k, err
}

func TestTrailerMismatchFailsBackup(t *testing.T) {
	f := newFixture(t, 500)
	_, err := Run(context.Background(), corruptSource{f.client, 100_000}, f.opts)
	if !errors.Is(err, cluster.ErrTrailer) || !strings.Contains(err.Error(), "snapshot from "+f.member.Endpoint) {
		t.Fatalf("err = %v, want a trailer mismatch naming the endpoint", err)
	}
	f.assertClean(t)
}

// TestSpoolWriteFailure injects ENOSPC on the spool file writes.
func TestSpoolWriteFailure(t *testing.T) {
	f := newFixture(t, 500)
	spoolWriteHook = func() error { return errNoSpace }
	t.Cleanup(func() { spoolWriteHook = nil })
	_, err := Run(context.Background(), f.client, f.opts)
	if !errors.Is(err, errNoSpace) || !strings.Contains(err.Error(), "spool ") {
		t.Fatalf("err = %v, want the injected ENOSPC from the spool", err)
	}
	f.assertClean(t)
}

func TestBackupCommitsManifest(t *testing.T) {
	f := newFixture(t, 1000)
	res, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if m.Snapshot.TotalKeys != 1000 || m.Snapshot.Revision < 2 || m.Object.Encryption != "openpgp" {
		t.Fatalf("manifest %+v", m)
	}
	got, err := f.opts.Destinations[0].Resolve(context.Background(), "latest")
	if err != nil || got.ID != m.ID || got.Object.SHA256 != m.Object.SHA256 {
		t.Fatalf("latest = %+v, %v", got, err)
	}
	if _, rev, _ := catalog.ParseID(m.ID); rev > m.Snapshot.Revision {
		t.Fatalf("ID revision %d after snapshot revision %d", rev, m.Snapshot.Revision)
	}
	fi, err := os.Stat(f.spool)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("spool dir mode %v, %v", fi.Mode().Perm(), err)
	}
}

// deadFirst puts an unreachable member first in the candidate order, before the real one.
type deadFirst struct{ *cluster.Client }

func (s deadFirst) Members(ctx context.Context) ([]cluster.Member, error) {
	ms, err := s.Client.Members(ctx)
	if err != nil {
		return nil, err
	}
	dead := ms[0]
	dead.Name, dead.Endpoint = "dead", "https://127.0.0.1:1"
	return append([]cluster.Member{dead}, ms...), nil
}

func TestFallsBackToNextMember(t *testing.T) {
	f := newFixture(t, 100)
	res, err := Run(context.Background(), deadFirst{f.client}, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.Etcd.Endpoint != f.member.Endpoint {
		t.Fatalf("snapshot from %s, want the live member %s", res.Manifest.Etcd.Endpoint, f.member.Endpoint)
	}
}

// TestSameSecondSameRevision takes two backups of an idle cluster at once: they must get two IDs,
// and each manifest must match its own data.
func TestSameSecondSameRevision(t *testing.T) {
	f := newFixture(t, 50)
	frozen := time.Now()
	calls := 0
	f.opts.Now = func() time.Time {
		calls++
		if calls <= 4 {
			return frozen
		}
		return time.Now()
	}
	first, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Manifest.ID == second.Manifest.ID {
		t.Fatalf("two backups share the ID %s", first.Manifest.ID)
	}
	for _, id := range []string{first.Manifest.ID, second.Manifest.ID} {
		m, err := f.opts.Destinations[0].Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		checkObject(t, f.opts.Destinations[0], m)
	}
}
