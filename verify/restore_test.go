package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// TestRestoreRoundTrip restores a backup into a new, an existing empty and a mount-point data dir,
// with and without a revision bump, and serves every key from an embedded etcd on the result.
func TestRestoreRoundTrip(t *testing.T) {
	f := newFixture(t, 500, 512, true)
	m := f.backup()
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		bump  uint64
	}{
		{"new dir", func(*testing.T, string) {}, 0},
		{"empty dir", func(t *testing.T, dir string) { mkdir(t, dir, 0o755) }, 0},
		// etcd preallocates a 64 MB WAL, so the mount needs room beyond it and the db.
		{"mount point", func(t *testing.T, dir string) { mkdir(t, dir, 0o755); mountTmpfs(t, dir, "256m") }, 0},
		{"bump", func(*testing.T, string) {}, KubernetesBump},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "etcd")
			c.setup(t, dir)
			peer := fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
			ro := RestoreOptions{DataDir: dir, Name: "n1", PeerURLs: []string{peer}, InitialCluster: "n1=" + peer,
				InitialClusterToken: "tok", BumpRevision: c.bump, MarkCompacted: c.bump > 0}
			res, err := Restore(context.Background(), f.options(), m, ro)
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			want := m.Snapshot.Revision + int64(c.bump)
			if res.Revision != want || !res.Kubernetes || len(res.Members) != 1 || res.Members[0].Name != "n1" {
				t.Fatalf("result %+v", res)
			}
			assertOnly(t, filepath.Dir(dir), "etcd")
			if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
				t.Fatalf("data dir mode: %v, %v", fi, err)
			}
			member := etcdtest.StartDataDir(t, dir, "n1", peer)
			if got := etcdtest.Serves(t, member.Client(t), f.keys); got != want {
				t.Fatalf("restored member at revision %d, want %d", got, want)
			}
		})
	}
}

// TestRestoreRefusals checks that a bad data dir or bad options fail before anything is written.
func TestRestoreRefusals(t *testing.T) {
	f := newFixture(t, 50, 128, true)
	m := f.backup()
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	peer := "http://127.0.0.1:2380"
	base := RestoreOptions{Name: "a", PeerURLs: []string{peer}, InitialCluster: "a=" + peer, InitialClusterToken: "t"}
	cases := []struct {
		name   string
		change func(ro *RestoreOptions)
		want   error
	}{
		{"not empty", func(ro *RestoreOptions) { ro.DataDir = full }, ErrNotEmpty},
		{"bump alone", func(ro *RestoreOptions) { ro.BumpRevision = 5 }, nil},
		{"name not in cluster", func(ro *RestoreOptions) { ro.Name = "b" }, nil},
		{"peer URL differs", func(ro *RestoreOptions) { ro.PeerURLs = []string{"http://127.0.0.1:2381"} }, nil},
		{"bad cluster", func(ro *RestoreOptions) { ro.InitialCluster = "a" }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ro := base
			ro.DataDir = filepath.Join(t.TempDir(), "new")
			c.change(&ro)
			_, err := Restore(context.Background(), f.options(), m, ro)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("Restore: %v, want %v", err, c.want)
			}
			if ro.DataDir != full {
				assertOnly(t, filepath.Dir(ro.DataDir))
			}
		})
	}
	assertOnly(t, full, "keep")
}

// assertOnly checks that dir holds exactly names.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) && !(len(got) == 0 && len(names) == 0) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// mountTmpfs mounts a tmpfs of size at dir until the test ends.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	testgate.Tmpfs(t, dir, "size="+size+",mode=0755")
}
