package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The file store writes and removes only below its own directory: a symbolic link planted below
// it (a key's directory pointing at /etc, say) is refused, never followed. List does not follow
// links either, so nothing is written where it could not be listed. The directory itself may be
// a link: it is resolved once, when the store is opened.

// errLink reports a symbolic link below the store's directory.
var errLink = errors.New("is a symbolic link: the file store does not follow links below its directory")

// mkdirBelow creates dir, under the store's directory, and its missing parents (0700 whatever the
// umask, each entry fsynced), refusing any element that is a link or not a directory.
func (s *fileStore) mkdirBelow(dir string) error {
	rel, err := s.below(dir)
	if err != nil {
		return err
	}
	cur := s.dir
	for _, e := range rel {
		cur = filepath.Join(cur, e)
		if err := ensureDir(cur); err != nil {
			return err
		}
	}
	return nil
}

// ensureDir makes p a directory of ours unless it is one already.
func ensureDir(p string) error {
	err := os.Mkdir(p, dirMode)
	if err == nil {
		if err := os.Chmod(p, dirMode); err != nil { // the umask may have taken bits off
			return err
		}
		return syncDir(filepath.Dir(p))
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Lstat(p)
	switch {
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s %w", p, errLink)
	case !fi.IsDir():
		return &fs.PathError{Op: "mkdir", Path: p, Err: errNotDir}
	}
	return nil
}

// noLinkAbove refuses a link among the existing directories between the store's directory and
// the file p; missing ones are fine (nothing is there to follow).
func (s *fileStore) noLinkAbove(p string) error {
	rel, err := s.below(filepath.Dir(p))
	if err != nil {
		return err
	}
	cur := s.dir
	for _, e := range rel {
		cur = filepath.Join(cur, e)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s %w", cur, errLink)
		}
	}
	return nil
}

// below splits dir, the store's directory or one under it, into its elements under it.
func (s *fileStore) below(dir string) ([]string, error) {
	rel, err := filepath.Rel(s.dir, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s is not under %s", dir, s.dir)
	}
	if rel == "." {
		return nil, nil
	}
	return strings.Split(rel, string(filepath.Separator)), nil
}
