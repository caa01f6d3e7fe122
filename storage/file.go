package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// tmpMarker marks in-progress files: <final>.tmp-<random>.
const tmpMarker = ".tmp-"

// fileStore keeps objects as files under a directory. Writes go to a temp
// file beside the final name, are fsynced and renamed into place.
type fileStore struct {
	dir     string
	url     string
	timeout time.Duration // per upload; 0: none
	stall   time.Duration // 0: DefaultStallTimeout
}

var _ Store = (*fileStore)(nil)

// openFile opens a file:// destination, creating its directory (0700).
func openFile(u *url.URL, rawURL string, timeout, stall time.Duration) (*fileStore, error) {
	dir, err := fileDir(u)
	if err != nil {
		return nil, err
	}
	if err := mkdirAll(dir); err != nil {
		return nil, fmt.Errorf("create directory %s: %w", dir, err)
	}
	// Resolve a symlinked directory once, so that walking it lists its files.
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("resolve directory: %w", err)
	}
	return &fileStore{dir: dir, url: Redact(rawURL), timeout: timeout, stall: stall}, nil
}

// StallTimeout is the stall period the store was opened with; 0: the default.
func (s *fileStore) StallTimeout() time.Duration {
	return s.stall
}

func (s *fileStore) String() string { return s.url }

func (s *fileStore) Close() error { return nil }

// path maps a key to its file, refusing keys that would leave the directory.
func (s *fileStore) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	for _, e := range strings.Split(key, "/") {
		if strings.Contains(e, tmpMarker) {
			return "", fmt.Errorf("key %q: %q is reserved for temp files", key, tmpMarker)
		}
	}
	p := filepath.Join(s.dir, filepath.FromSlash(key))
	if !strings.HasPrefix(p, s.dir+string(filepath.Separator)) && s.dir != "/" {
		return "", fmt.Errorf("key %q: escapes %s", key, s.dir)
	}
	return p, nil
}

func (s *fileStore) NewReader(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, fmt.Errorf("read from %s: %w", s.url, err)
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil, fmt.Errorf("read %s from %s: %w", key, s.url, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", key, s.url, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("read %s from %s: %w", key, s.url, ErrNotFound)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s from %s: %w", key, s.url, err)
	}
	return f, nil
}

func (s *fileStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", s.url, err)
	}
	if err := s.noLinkAbove(p); err != nil {
		return fmt.Errorf("delete %s from %s: %w", key, s.url, err)
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s from %s: %w", key, s.url, err)
	}
	if fi.IsDir() {
		return nil // a directory is not an object
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s from %s: %w", key, s.url, err)
	}
	return nil
}

// List walks the directory under the prefix's last '/', skipping temp files,
// directories and anything that is not a regular file.
func (s *fileStore) List(ctx context.Context, prefix string) ([]Object, error) {
	out, err := s.walk(ctx, prefix, false)
	if err != nil {
		return nil, fmt.Errorf("list %q in %s: %w", prefix, s.url, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// walk returns the regular files under prefix: committed objects, or with pending the temp files of
// unfinished writes, each under the key it would have committed.
func (s *fileStore) walk(ctx context.Context, prefix string, pending bool) ([]Object, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	root := s.dir
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		root = filepath.Join(s.dir, filepath.FromSlash(prefix[:i]))
	}
	var out []Object
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
				return nil // removed meanwhile, or never there
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name, _, isTmp := strings.Cut(d.Name(), tmpMarker)
		rel, err := filepath.Rel(s.dir, filepath.Join(filepath.Dir(p), name))
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			return s.walkDir(p, root, key, prefix)
		}
		if !d.Type().IsRegular() || isTmp != pending || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	return out, err
}

// walkDir skips directories that cannot hold keys with prefix.
func (s *fileStore) walkDir(p, root, key, prefix string) error {
	if p == root {
		return nil
	}
	dk := key + "/"
	if strings.HasPrefix(dk, prefix) || strings.HasPrefix(prefix, dk) {
		return nil
	}
	return filepath.SkipDir
}
