package storage

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fileURL returns the file:// URL of dir.
func fileURL(dir string) string {
	return "file://" + filepath.ToSlash(dir)
}

func openFileStore(t testing.TB, dir string) Store {
	t.Helper()
	s, err := Open(context.Background(), fileURL(dir), Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFileConformance(t *testing.T) {
	root := t.TempDir()
	n := 0
	runConformance(t, func(t *testing.T) Store {
		n++
		return openFileStore(t, filepath.Join(root, fmt.Sprintf("store-%d", n), "etcd"))
	})
}

// walkFiles returns every path under dir, relative and '/'-separated.
func walkFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return out
}

func TestFileLayoutAndModes(t *testing.T) {
	root := t.TempDir()
	base := filepath.Join(root, "backups", "etcd")
	s := openFileStore(t, base)
	put(t, s, "prod/snapshots/1.db.zst.pgp", []byte("data"))
	put(t, s, "prod/snapshots/1.json", []byte("{}"))

	want := []string{".", "prod", "prod/snapshots", "prod/snapshots/1.db.zst.pgp", "prod/snapshots/1.json"}
	if got := walkFiles(t, base); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files under %s = %q, want %q (no sidecars, no temp files)", base, got, want)
	}
	tests := []struct {
		path string
		mode fs.FileMode
	}{
		{filepath.Join(root, "backups"), fs.ModeDir | 0o700},
		{base, fs.ModeDir | 0o700},
		{filepath.Join(base, "prod"), fs.ModeDir | 0o700},
		{filepath.Join(base, "prod", "snapshots"), fs.ModeDir | 0o700},
		{filepath.Join(base, "prod", "snapshots", "1.db.zst.pgp"), 0o600},
		{filepath.Join(base, "prod", "snapshots", "1.json"), 0o600},
	}
	for _, tc := range tests {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if got := fi.Mode(); got != tc.mode {
			t.Fatalf("mode of %s = %v, want %v", tc.path, got, tc.mode)
		}
	}
}

// TestFileURLPathIsPrefix checks that nested URL paths address the same files.
func TestFileURLPathIsPrefix(t *testing.T) {
	root := t.TempDir()
	outer := openFileStore(t, filepath.Join(root, "a"))
	inner := openFileStore(t, filepath.Join(root, "a", "b"))
	put(t, inner, "k/v", []byte("inner"))
	if got := string(get(t, outer, "b/k/v")); got != "inner" {
		t.Fatalf("outer store reads b/k/v = %q, want %q", got, "inner")
	}
	data, err := os.ReadFile(filepath.Join(root, "a", "b", "k", "v"))
	if err != nil || string(data) != "inner" {
		t.Fatalf("file a/b/k/v = %q, %v; want %q", data, err, "inner")
	}
	if got := keys(list(t, outer, "")); strings.Join(got, " ") != "b/k/v" {
		t.Fatalf("outer List = %q, want [b/k/v]", got)
	}
}

// TestFileAtomicWrite checks during a write that only a temp file exists
// beside the final name, and that an overwritten file stays whole.
func TestFileAtomicWrite(t *testing.T) {
	base := t.TempDir()
	s := openFileStore(t, base)
	put(t, s, "old.db", []byte("old content"))
	for _, key := range []string{"new.db", "old.db"} {
		final := filepath.Join(base, key)
		before, _ := os.ReadFile(final)
		w, err := s.NewWriter(context.Background(), key)
		if err != nil {
			t.Fatalf("NewWriter(%q): %v", key, err)
		}
		data := randomBytes(t, 3<<20)
		if _, err := w.Write(data[:1<<20]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		tmps, _ := filepath.Glob(final + tmpMarker + "*")
		if len(tmps) != 1 {
			t.Fatalf("temp files for %s = %q, want exactly one", key, tmps)
		}
		if fi, err := os.Stat(tmps[0]); err != nil || fi.Mode() != 0o600 {
			t.Fatalf("temp file %s: %v, %v; want mode 0600", tmps[0], fi, err)
		}
		if now, _ := os.ReadFile(final); !bytes.Equal(now, before) {
			t.Fatalf("%s changed before Commit: %d bytes, want %d", key, len(now), len(before))
		}
		if _, err := w.Write(data[1<<20:]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if err := w.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if now, err := os.ReadFile(final); err != nil || !bytes.Equal(now, data) {
			t.Fatalf("%s after Commit: %d bytes, %v; want %d", key, len(now), err, len(data))
		}
		if tmps, _ := filepath.Glob(final + tmpMarker + "*"); len(tmps) != 0 {
			t.Fatalf("temp files left after Commit: %q", tmps)
		}
	}
}
