package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// TestLeftoverFindings leaves in a scratch dir what a deep verification killed mid-way leaves (its
// drill-<n> directory with the plain snapshot, a real bbolt file, and half a restored data dir)
// beside what is not a leftover: the directory of a verification still running (it holds the
// lock), a link, a directory we never write. Only the leftover is reported, as a warning naming it.
func TestLeftoverFindings(t *testing.T) {
	cases := []struct {
		name  string
		plant func(t *testing.T, root string)
		want  []string // paths under root named in a warning; nil: no finding
	}{
		{"no scratch dir", func(*testing.T, string) {}, nil},
		{"empty", func(t *testing.T, root string) { mkdir(t, root) }, nil},
		{"killed", func(t *testing.T, root string) { plantDrill(t, filepath.Join(root, "drill-123")) }, []string{"drill-123"}},
		{"two killed", func(t *testing.T, root string) {
			plantDrill(t, filepath.Join(root, "drill-1"))
			plantDrill(t, filepath.Join(root, "drill-2"))
		}, []string{"drill-1", "drill-2"}},
		{"running", func(t *testing.T, root string) {
			plantDrill(t, filepath.Join(root, "drill-7"))
			lockDir(t, filepath.Join(root, "drill-7"))
		}, nil},
		{"not ours", func(t *testing.T, root string) {
			mkdir(t, root)
			elsewhere := t.TempDir()
			plantDrill(t, filepath.Join(elsewhere, "drill-8"))
			if err := os.Symlink(filepath.Join(elsewhere, "drill-8"), filepath.Join(root, "drill-8")); err != nil {
				t.Fatal(err)
			}
			plantDrill(t, filepath.Join(root, "drill-9"))
			if err := os.WriteFile(filepath.Join(root, "drill-9", "notes"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			plantDrill(t, filepath.Join(root, "drill-x"))
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "scratch")
			c.plant(t, root)
			fs := leftoverFindings(root)
			if c.want == nil {
				if len(fs) != 0 {
					t.Fatalf("findings %+v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Severity != Warn || !strings.Contains(fs[0].Subject, root) {
				t.Fatalf("findings %+v, want one warning about %s", fs, root)
			}
			for _, n := range c.want {
				if !strings.Contains(fs[0].Message, filepath.Join(root, n)) || !strings.Contains(fs[0].Action, "rm -r") {
					t.Fatalf("finding %+v does not name %s and how to remove it", fs[0], n)
				}
			}
		})
	}
}

// TestReportAddKeepsOrder checks that a leftover warning added to a report counts in its result.
func TestReportAddKeepsOrder(t *testing.T) {
	r := &Report{Findings: []Finding{{Severity: OK, Subject: "a"}}}
	r.add(Finding{Severity: Warn, Subject: "scratch dir"})
	if r.Result != Warn || r.Findings[0].Subject != "scratch dir" {
		t.Fatalf("report %+v", r)
	}
}

// plantDrill makes dir as a killed deep verification leaves it: 0700, the plain snapshot (a bbolt
// file) and half a restored data dir.
func plantDrill(t *testing.T, dir string) {
	t.Helper()
	mkdir(t, filepath.Join(dir, "data", "member", "snap"))
	db, err := bolt.Open(filepath.Join(dir, "snapshot.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

// lockDir holds dir's lock, as a running verification does, until the test ends.
func lockDir(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
}
