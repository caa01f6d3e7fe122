package verify

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestModesUnderUmask000 runs every command that writes on this machine under umask 000 and checks
// the modes it promises: a restored data dir 0700 with no group or other bits anywhere inside, a
// fetched snapshot 0600, drill records 0600; every directory 0700.
func TestModesUnderUmask000(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	m := f.backup()
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	cases := []struct {
		name  string
		write func(t *testing.T, out string) string // returns the file or tree to check
		files fs.FileMode                           // of every regular file; 0: any without group or other bits
	}{
		{"restore", func(t *testing.T, out string) string {
			dir := filepath.Join(out, "etcd")
			peer := fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
			ro := RestoreOptions{DataDir: dir, Name: "n1", PeerURLs: []string{peer}, InitialCluster: "n1=" + peer,
				InitialClusterToken: "tok"}
			if _, err := Restore(context.Background(), f.options(), m, ro); err != nil {
				t.Fatal(err)
			}
			return dir
		}, 0},
		{"fetch", func(t *testing.T, out string) string {
			file := filepath.Join(out, "snap.db")
			if _, err := FetchFile(context.Background(), f.options(), m, file); err != nil {
				t.Fatal(err)
			}
			return file
		}, 0o600},
		{"drill records", func(t *testing.T, _ string) string {
			if _, err := Quick(context.Background(), f.options(), m); err != nil {
				t.Fatal(err)
			}
			if _, err := Deep(context.Background(), f.options(), m); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(f.dir, "store", filepath.FromSlash(f.cat.Layout.DrillsPrefix()))
		}, 0o600},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := c.write(t, t.TempDir())
			n := 0
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				perm := fi.Mode().Perm()
				switch {
				case d.IsDir() && perm != 0o700:
					t.Errorf("%s: mode %04o, want 0700", p, perm)
				case d.Type().IsRegular() && c.files != 0 && perm != c.files:
					t.Errorf("%s: mode %04o, want %04o", p, perm, c.files)
				case perm&0o077 != 0:
					t.Errorf("%s: mode %04o has group or other bits", p, perm)
				}
				if d.Type().IsRegular() {
					n++
				}
				return nil
			})
			if err != nil || n == 0 {
				t.Fatalf("walked %d files of %s: %v", n, root, err)
			}
		})
	}
}
