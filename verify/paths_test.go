package verify

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/filetest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/workdir"
)

// victim is a file someone else owns, which a planted link points at.
type victim struct {
	path string
	data []byte
	mode fs.FileMode
}

func newVictim(t *testing.T) *victim {
	t.Helper()
	v := &victim{path: filepath.Join(t.TempDir(), "victim"), data: []byte("not yours\n"), mode: 0o644}
	if err := os.WriteFile(v.path, v.data, v.mode); err != nil {
		t.Fatal(err)
	}
	return v
}

// assertUntouched checks the victim's contents and mode.
func (v *victim) assertUntouched(t *testing.T) {
	t.Helper()
	fi, err := os.Stat(v.path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(v.path)
	if err != nil || !bytes.Equal(data, v.data) || fi.Mode().Perm() != v.mode {
		t.Fatalf("the link's target was changed: %q, mode %04o, %v", data, fi.Mode().Perm(), err)
	}
}

// TestFetchFileRefusesWhatIsNotItsOwn plants things at FILE.part: links (to a file, to nothing),
// another program's file, and the part file of a fetch that is running. Fetch refuses each,
// naming it, with the right key and with a wrong one, and changes nothing.
func TestFetchFileRefusesWhatIsNotItsOwn(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	m := f.backup()
	wrong := gpgtest.NewKey(t, "other", "future-default", "pass")
	wrongID, err := crypto.LoadIdentity(wrong.SecretFile, wrong.PassphraseFile)
	if err != nil {
		t.Fatal(err)
	}
	head := plainHead(t, f, m)
	cases := []struct {
		name  string
		plant func(t *testing.T, part string, v *victim)
	}{
		{"link to a file", func(t *testing.T, part string, v *victim) { symlink(t, v.path, part) }},
		{"link to nothing", func(t *testing.T, part string, v *victim) {
			symlink(t, filepath.Join(filepath.Dir(v.path), "new"), part)
		}},
		{"other data", func(t *testing.T, part string, v *victim) { writeFile(t, part, []byte("notes\n"), 0o600) }},
		{"readable by others", func(t *testing.T, part string, v *victim) { writeFile(t, part, head, 0o644) }},
		{"a fetch running", func(t *testing.T, part string, v *victim) {
			writeFile(t, part, head, 0o600)
			holdLock(t, part)
		}},
	}
	for _, c := range cases {
		for _, key := range []string{"right key", "wrong key"} {
			t.Run(c.name+", "+key, func(t *testing.T) {
				o := f.options()
				if key == "wrong key" {
					o.Identity = wrongID
				}
				dir, v := t.TempDir(), newVictim(t)
				out := filepath.Join(dir, "snap.db")
				c.plant(t, out+".part", v)
				before := filetest.Tree(t, dir)
				_, err := FetchFile(context.Background(), o, m, out)
				if err == nil || !strings.Contains(err.Error(), out+".part") {
					t.Errorf("FetchFile = %v, want a refusal naming %s.part", err, out)
				}
				v.assertUntouched(t)
				if _, err := os.Stat(filepath.Join(filepath.Dir(v.path), "new")); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("the link to nothing was followed: %v", err)
				}
				if after := filetest.Tree(t, dir); after != before {
					t.Fatalf("the output dir changed:\n%s\nwas:\n%s", after, before)
				}
			})
		}
	}
}

// TestFetchFileRemovesLeftover leaves FILE.part as a killed fetch does (ours, 0600, the start of
// a snapshot, no lock held): the next fetch removes it and writes FILE.
func TestFetchFileRemovesLeftover(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	m := f.backup()
	for _, left := range [][]byte{nil, plainHead(t, f, m)} {
		out := filepath.Join(t.TempDir(), "snap.db")
		writeFile(t, out+".part", left, 0o600)
		if _, err := FetchFile(context.Background(), f.options(), m, out); err != nil {
			t.Fatalf("FetchFile over a leftover of %d bytes: %v", len(left), err)
		}
		if fileSHA(t, out) != m.Snapshot.SHA256 {
			t.Fatal("the fetched file is not the snapshot")
		}
		assertOnly(t, filepath.Dir(out), "snap.db")
	}
}

// TestRestoreLeavesPlantedPaths restores where links and other programs' files were planted.
func TestRestoreLeavesPlantedPaths(t *testing.T) {
	f := newFixture(t, 100, 256, true)
	m := f.backup()
	dir := t.TempDir()
	v := newVictim(t)
	data := filepath.Join(dir, "etcd")
	symlink(t, filepath.Join(filepath.Dir(v.path), "etcd"), data) // a link to nothing
	_, err := Restore(context.Background(), f.options(), m, restoreOptions(data))
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Restore into a link to nothing = %v, want a refusal", err)
	}
	assertOnly(t, dir, "etcd")
	assertOnly(t, filepath.Dir(v.path), "victim")
}

// TestRestoreRemovesLeftovers leaves in place what restores killed mid-way leave (the plain
// snapshot, a half-restored data dir, beside the data dir or inside it when it is a mount point)
// next to look-alikes that are not ours: the next restore to that data dir removes exactly the
// leftovers, and succeeds.
func TestRestoreRemovesLeftovers(t *testing.T) {
	f := newFixture(t, 100, 256, true)
	m := f.backup()
	head := plainHead(t, f, m)
	for _, mount := range []bool{false, true} {
		t.Run(map[bool]string{false: "beside", true: "inside a mount point"}[mount], func(t *testing.T) {
			parent := t.TempDir()
			data := filepath.Join(parent, "etcd")
			where, prefix := parent, "etcd.restore-"
			if mount {
				mkdir(t, data, 0o755)
				mountTmpfs(t, data, "256m")
				where, prefix = data, insidePrefix
			}
			ours := []string{prefix + "11", prefix + "12"}
			plantWork(t, filepath.Join(where, ours[0]), head, false)
			plantWork(t, filepath.Join(where, ours[1]), head, true)
			theirs := plantLookalikes(t, parent, head)
			if err := CheckEmpty(data); err != nil {
				t.Fatalf("CheckEmpty with leftovers only: %v", err)
			}
			if _, err := Restore(context.Background(), f.options(), m, restoreOptions(data)); err != nil {
				t.Fatalf("Restore: %v", err)
			}
			for _, o := range ours {
				if _, err := os.Lstat(filepath.Join(where, o)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the leftover %s is still there: %v", o, err)
				}
			}
			for p, want := range theirs {
				if got := filetest.Tree(t, p); got != want {
					t.Errorf("%s changed:\n%s\nwas:\n%s", p, got, want)
				}
			}
		})
	}
}

// plantWork makes dir as a killed restore leaves it: 0700, the start of the plain snapshot, and
// with half the restored data dir.
func plantWork(t *testing.T, dir string, head []byte, half bool) {
	t.Helper()
	mkdir(t, dir, 0o700)
	writeFile(t, filepath.Join(dir, plainName), head, 0o600)
	if half {
		mkdir(t, filepath.Join(dir, dataName, "member", "snap"), 0o700)
		writeFile(t, filepath.Join(dir, dataName, "member", "snap", "db"), head, 0o600)
	}
}

// plantLookalikes makes entries named like restore leftovers beside parent/etcd that are not ours:
// a link to a leftover elsewhere, one with a file we never write, one readable by the group, one
// a running restore holds, a name we never make, a file. It returns each one's tree, by path.
func plantLookalikes(t *testing.T, parent string, head []byte) map[string]string {
	t.Helper()
	elsewhere := t.TempDir()
	plantWork(t, elsewhere, head, false)
	symlink(t, elsewhere, filepath.Join(parent, "etcd.restore-21"))
	plantWork(t, filepath.Join(parent, "etcd.restore-22"), head, false)
	writeFile(t, filepath.Join(parent, "etcd.restore-22", "notes.txt"), []byte("mine\n"), 0o600)
	plantWork(t, filepath.Join(parent, "etcd.restore-23"), head, false)
	if err := os.Chmod(filepath.Join(parent, "etcd.restore-23"), 0o750); err != nil {
		t.Fatal(err)
	}
	plantWork(t, filepath.Join(parent, "etcd.restore-24"), head, false)
	holdLock(t, filepath.Join(parent, "etcd.restore-24")) // a restore running there
	plantWork(t, filepath.Join(parent, "etcd.restore-x5"), head, false)
	writeFile(t, filepath.Join(parent, "etcd.restore-26"), head, 0o600)
	out := map[string]string{elsewhere: filetest.Tree(t, elsewhere)}
	for _, n := range []string{"21", "22", "23", "24", "x5", "26"} {
		p := filepath.Join(parent, "etcd.restore-"+n)
		out[p] = filetest.Tree(t, p)
	}
	return out
}

// plainHead is the first MiB of the backup's plain snapshot, as a killed fetch or restore leaves it.
func plainHead(t *testing.T, f *fixture, m *catalog.Manifest) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Fetch(context.Background(), f.options(), m, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()[:min(b.Len(), 1<<20)]
}

// holdLock locks path as a running fetch or restore does, until the test ends.
func holdLock(t *testing.T, path string) {
	t.Helper()
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	if err := unix.Flock(int(fd.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestDeepRefusesLinkedLock plants the scratch dir's lock file as a link: a deep verification
// refuses it, naming it, and creates nothing where it points.
func TestDeepRefusesLinkedLock(t *testing.T) {
	f := newFixture(t, 50, 128, false)
	m := f.backup()
	o := f.options()
	if err := workdir.Claim(o.ScratchDir); err != nil { // ours: only the lock is planted
		t.Fatal(err)
	}
	v := newVictim(t)
	target := filepath.Join(filepath.Dir(v.path), "created")
	symlink(t, target, filepath.Join(o.ScratchDir, ".lock"))
	_, err := Deep(context.Background(), o, m)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(o.ScratchDir, ".lock")) {
		t.Fatalf("Deep = %v, want a refusal naming the lock file", err)
	}
	assertOnly(t, filepath.Dir(v.path), "victim")
}
