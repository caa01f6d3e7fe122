package workdir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// withUmask runs the test body under a permissive umask, as a careless unit file would give.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func TestClaim(t *testing.T) {
	withUmask(t, 0)
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string // "" means claimed
		mode    os.FileMode
	}{
		{"missing: created 0700", func(*testing.T, string) {}, "", 0o700},
		{"missing parents too", nil, "", 0o700},
		{"ours, loosened: tightened", func(t *testing.T, d string) { mkdir(t, d, 0o755); touch(t, d, Marker) }, "", 0o700},
		{"empty and private: adopted", func(t *testing.T, d string) { mkdir(t, d, 0o700) }, "", 0o700},
		{"first-release spool: adopted", func(t *testing.T, d string) {
			mkdir(t, d, 0o700)
			touch(t, d, legacyLock)
			touch(t, d, "x.db.part")
		}, "", 0o700},
		{"shared like /tmp", func(t *testing.T, d string) {
			mkdir(t, d, 0o777|os.ModeSticky)
			touch(t, d, "other.db.part")
		}, "is shared (mode 1777)", 0o777 | os.ModeSticky},
		{"group-writable", func(t *testing.T, d string) { mkdir(t, d, 0o770) }, "is shared (mode 0770)", 0o770},
		{"a marker planted in a shared dir", func(t *testing.T, d string) {
			mkdir(t, d, 0o777|os.ModeSticky)
			touch(t, d, Marker)
			touch(t, d, "other.db.part")
		}, "is shared (mode 1777)", 0o777 | os.ModeSticky},
		{"holds other files", func(t *testing.T, d string) {
			mkdir(t, d, 0o700)
			touch(t, d, "notes.txt")
		}, "holds 1 other entries", 0o700},
		{"a symlink", func(t *testing.T, d string) {
			target := d + ".target"
			mkdir(t, target, 0o700)
			if err := os.Symlink(target, d); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link", 0},
		{"a file", func(t *testing.T, d string) {
			if err := os.WriteFile(d, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a directory", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "work")
			if c.setup == nil {
				dir = filepath.Join(t.TempDir(), "a", "b", "work")
			} else {
				c.setup(t, dir)
			}
			before := listing(t, dir)
			checkErr := Check(dir)
			err := Claim(dir)
			if c.wantErr == "" {
				if err != nil || checkErr != nil {
					t.Fatalf("Claim: %v, Check: %v", err, checkErr)
				}
				if _, err := os.Lstat(filepath.Join(dir, Marker)); err != nil {
					t.Fatalf("no marker: %v", err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), dir) {
					t.Fatalf("Claim: %v, want an error naming %s with %q", err, dir, c.wantErr)
				}
				if checkErr == nil || checkErr.Error() != err.Error() {
					t.Fatalf("Check: %v, want the same as Claim: %v", checkErr, err)
				}
				if after := listing(t, dir); after != before {
					t.Fatalf("a refused dir changed: %s, was %s", after, before)
				}
			}
			if c.mode != 0 {
				fi, err := os.Lstat(dir)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != c.mode {
					t.Fatalf("mode %v, want %v", got, c.mode)
				}
			}
		})
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func touch(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// listing describes dir's entries, to tell that a refused dir was left as it was.
func listing(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}
