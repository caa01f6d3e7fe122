package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileFailedWritesLeaveNothing covers abort and cancel: no object, no
// temp file.
func TestFileFailedWritesLeaveNothing(t *testing.T) {
	tests := []struct {
		name    string
		stop    func(w Writer, cancel func()) error
		wantErr error
	}{
		{"abort", func(w Writer, _ func()) error { w.Abort(); return nil }, nil},
		{"cancel then commit", func(w Writer, cancel func()) error { cancel(); return w.Commit() }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			s := openFileStore(t, base)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := s.NewWriter(ctx, "x/k.db")
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			if _, err := w.Write(randomBytes(t, 1<<20)); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := tc.stop(w, cancel); !errors.Is(err, tc.wantErr) {
				t.Fatalf("stop = %v, want %v", err, tc.wantErr)
			}
			if got := walkFiles(t, base); strings.Join(got, " ") != ". x" {
				t.Fatalf("files = %q, want only the directory x", got)
			}
		})
	}
}

func TestFileListIgnoresTempAndOther(t *testing.T) {
	base := t.TempDir()
	s := openFileStore(t, base)
	put(t, s, "c/1.db", []byte("x"))
	for _, p := range []string{"c/2.db.tmp-123", "c/empty/", "c/nested/dir/"} {
		full := filepath.Join(base, filepath.FromSlash(p))
		var err error
		if strings.HasSuffix(p, "/") {
			err = os.MkdirAll(full, 0o700)
		} else {
			err = os.WriteFile(full, []byte("crash leftover"), 0o600)
		}
		if err != nil {
			t.Fatalf("create %s: %v", p, err)
		}
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(base, "c", "link")); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	if got := keys(list(t, s, "c/")); strings.Join(got, " ") != "c/1.db" {
		t.Fatalf("List = %q, want [c/1.db]", got)
	}
}

func TestFileKeyEscapeRefused(t *testing.T) {
	root := t.TempDir()
	s := openFileStore(t, filepath.Join(root, "base"))
	ctx := context.Background()
	for _, key := range []string{"../evil", "a/../../evil", "/etc/evil", "..", "x.tmp-1", "d.tmp-x/k"} {
		t.Run(key, func(t *testing.T) {
			w, err := s.NewWriter(ctx, key)
			if err == nil {
				w.Abort()
				t.Fatalf("NewWriter(%q): nil error, want one", key)
			}
			if !strings.Contains(err.Error(), key) {
				t.Fatalf("NewWriter(%q) error %q does not name the key", key, err)
			}
		})
	}
	if got := walkFiles(t, root); strings.Join(got, " ") != ". base" {
		t.Fatalf("files under root = %q, want only base", got)
	}
}

// unwritable makes dir refuse new files: chmod 0500 where that works, else
// (as root) a regular file where sub-directory "sub" would go. It returns
// the key to write.
func unwritable(t *testing.T, dir string) string {
	t.Helper()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatalf("chmod: %v", err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	probe, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return "k.db" // chmod blocks writes
	}
	probe.Close()
	os.Remove(probe.Name())
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatalf("chmod: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub"), []byte("not a dir"), 0o600); err != nil {
		t.Fatalf("write: %v", err)
	}
	return "sub/k.db"
}

func TestFileUnwritableDestination(t *testing.T) {
	base := t.TempDir()
	s := openFileStore(t, base)
	key := unwritable(t, base)
	w, err := s.NewWriter(context.Background(), key)
	if err == nil {
		_, err = w.Write([]byte("data"))
		if err == nil {
			err = w.Commit()
		}
		w.Abort()
	}
	if err == nil {
		t.Fatalf("write %s to unwritable %s: nil error, want one", key, base)
	}
	for _, want := range []string{"upload " + key, fileURL(base)} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not contain %q", err, want)
		}
	}
}

func TestOpenFileErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatalf("write: %v", err)
	}
	tests := []struct {
		name, url, want string
	}{
		{"query parameter", fileURL(root) + "?no_tmp_dir=true&create_dir=1", `"create_dir", "no_tmp_dir"`},
		{"host", "file://server/var/backups", `host "server"`},
		{"relative", "file:var/backups", "absolute path"},
		{"no path", "file://", "missing directory"},
		{"base is a file", fileURL(file), "not a directory"},
		{"under a file", fileURL(filepath.Join(file, "sub")), "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s): nil error, want one", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%s) error %q does not contain %q", tc.url, err, tc.want)
			}
		})
	}
}

// TestFileNonObjectPaths checks that directories and paths below a file are
// missing objects, as a prefix is in a bucket.
func TestFileNonObjectPaths(t *testing.T) {
	base := t.TempDir()
	s := openFileStore(t, base)
	put(t, s, "d/k", []byte("x"))
	for _, key := range []string{"d", "d/k/below"} {
		wantMissing(t, s, key)
		if err := s.Delete(context.Background(), key); err != nil {
			t.Fatalf("Delete(%q): %v", key, err)
		}
	}
	if got := string(get(t, s, "d/k")); got != "x" {
		t.Fatalf("d/k = %q after deleting its directory key, want %q", got, "x")
	}
}
