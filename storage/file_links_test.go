package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/filetest"
)

// TestFileRefusesLinksBelowItsDir plants a symbolic link at a key's directory, pointing at a
// directory outside the store (or at nothing), and writes, deletes and aborts the key: each is
// refused naming the link, and nothing outside the store is created, changed or removed.
func TestFileRefusesLinksBelowItsDir(t *testing.T) {
	ops := []struct {
		name string
		do   func(s Store, key string) error
	}{
		{"write", func(s Store, key string) error {
			w, err := s.NewWriter(context.Background(), key)
			if err != nil {
				return err
			}
			if _, err := w.Write([]byte("snapshot")); err != nil {
				return err
			}
			return w.Commit()
		}},
		{"delete", func(s Store, key string) error { return s.Delete(context.Background(), key) }},
		{"abort pending", func(s Store, key string) error {
			return s.(pendingAborter).AbortPending(context.Background(), key, time.Now().Add(time.Hour))
		}},
	}
	links := []struct {
		at     string // the link, under the store
		target bool   // it points at an existing directory
	}{
		{"c1", true},
		{"c1/snapshots", true},
		{"c1/snapshots", false},
	}
	for _, op := range ops {
		for _, l := range links {
			name := op.name + " under " + l.at + map[bool]string{true: " to a dir", false: " to nothing"}[l.target]
			t.Run(name, func(t *testing.T) {
				base, outside := t.TempDir(), t.TempDir()
				s := openFileStore(t, filepath.Join(base, "store"))
				target := filepath.Join(outside, "dir")
				const key = "c1/snapshots/1.db.zst.pgp"
				if l.target { // where the key's file would be, through the link
					rest := filepath.FromSlash(strings.TrimPrefix(key, l.at+"/"))
					plantOutside(t, filepath.Dir(filepath.Join(target, rest)), filepath.Base(rest))
				}
				link := filepath.Join(base, "store", filepath.FromSlash(l.at))
				if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				before := filetest.Tree(t, outside)
				err := op.do(s, key)
				if !errors.Is(err, errLink) || !strings.Contains(err.Error(), link) {
					t.Errorf("%s = %v, want a refusal naming the link %s", op.name, err, link)
				}
				if after := filetest.Tree(t, outside); after != before {
					t.Fatalf("outside the store changed:\n%s\nwas:\n%s", after, before)
				}
			})
		}
	}
}

// pendingAborter is the file store's removal of unfinished writes, as prune uses it.
type pendingAborter interface {
	AbortPending(ctx context.Context, key string, before time.Time) error
}

// plantOutside makes dir with a file named name and the temp file of an unfinished write of it.
func plantOutside(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{name, name + tmpMarker + "1"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("not the store's"), 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(filepath.Join(dir, n), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFileModesUnderUmask000 writes objects under umask 000: directories are 0700, objects 0600.
func TestFileModesUnderUmask000(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	root := filepath.Join(t.TempDir(), "store")
	s := openFileStore(t, root)
	put(t, s, "c1/snapshots/1.db.zst.pgp", []byte("data"))
	put(t, s, "c1/drills/1.20260101T000000Z.json", []byte("{}"))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
