package spool

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenRefusesSharedDir: a spool_dir such as /tmp is neither chmodded nor cleaned, and the error
// names the field.
func TestOpenRefusesSharedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "their-download.db.part")
	if err := os.WriteFile(theirs, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open took over a shared directory")
	}
	if !strings.HasPrefix(err.Error(), "spool_dir: ") {
		t.Fatalf("error %q does not name spool_dir", err)
	}
	if _, err := os.Stat(theirs); err != nil {
		t.Fatalf("another program's file was removed: %v", err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode()&os.ModePerm != 0o777 || fi.Mode()&os.ModeSticky == 0 {
		t.Fatalf("mode changed to %v", fi.Mode())
	}
}

// TestModesUnderPermissiveUmask: the spool is 0700 and its files 0600 whatever the umask.
func TestModesUnderPermissiveUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "spool")
	s, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := s.Create("b1")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, f.Name(): 0o600, filepath.Join(dir, ".lock"): 0o600} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want %v", p, fi.Mode(), err, want)
		}
	}
}

// TestLeftoversRemovedOnlyUnderLock: a second Open while a backup holds the spool fails and removes
// nothing; the next one removes what a crash left.
func TestLeftoversRemovedOnlyUnderLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Create("b1")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "another backup is running") {
		t.Fatalf("second Open: %v", err)
	}
	if found, _ := Leftovers(dir); len(found) != 1 {
		t.Fatalf("leftovers while locked: %v", found)
	}
	s.Close()
	s2, removed, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if len(removed) != 1 || removed[0].Path != f.Name() {
		t.Fatalf("removed %v, want %s", removed, f.Name())
	}
	if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
		t.Fatalf("leftover still there: %v", err)
	}
}
