package verify

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"go.uber.org/zap"
)

// ErrNotEmpty reports a data dir that already holds something.
var ErrNotEmpty = errors.New("data dir is not empty")

// CheckEmpty accepts a data dir that does not exist or is an empty directory. The leftover of a
// restore killed mid-way inside it does not count: the next restore removes it.
func CheckEmpty(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(dir); err == nil {
			return fmt.Errorf("data dir %s: a symbolic link to nothing; give the directory itself", dir)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data dir %s: not a directory", dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	defer f.Close()
	for {
		names, err := f.Readdirnames(16)
		for _, n := range names {
			if !insideLeftover(dir, n) {
				return fmt.Errorf("%w: %s holds %s; move it aside first (mv %s %s.old)", ErrNotEmpty, dir,
					n, dir, dir)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
	}
}

// insideLeftover reports whether name in dir is the work dir of a restore into dir, a mount point,
// that was killed.
func insideLeftover(dir, name string) bool {
	rest, ok := strings.CutPrefix(name, insidePrefix)
	return ok && digits(rest) && workLeftover(filepath.Join(dir, name), false)
}

// insidePrefix names a work dir inside a data dir that is a mount point; a sibling's is
// <data dir>.restore-.
const insidePrefix = ".etcd-backupd-restore-"

// workDir is where a restore is built: a sibling of the data dir, or a hidden directory inside an
// existing empty data dir that is a mount point (a rename cannot cross file systems). It is locked
// while the restore runs, so that another restore to the same place never takes it for a leftover.
type workDir struct {
	dir    string // removed at the end
	data   string // the restored data dir, moved into place by commit
	inside bool   // dir is inside the data dir
	lock   *os.File
}

// newWorkDir removes what restores to dataDir that were killed left in both places, then makes a
// new work dir (0700, a fresh name: nothing planted there is followed).
func newWorkDir(dataDir string, lg *zap.Logger) (*workDir, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	inside, err := mountPoint(abs, parent)
	if err != nil {
		return nil, err
	}
	if err := removeLeftoverDirs(parent, base+".restore-", lg); err != nil {
		return nil, err
	}
	if err := removeLeftoverDirs(abs, insidePrefix, lg); err != nil {
		return nil, err
	}
	where, prefix := parent, base+".restore-"
	if inside {
		where, prefix = abs, insidePrefix
	}
	dir, err := os.MkdirTemp(where, prefix)
	if err != nil {
		return nil, fmt.Errorf("restore work dir: %w", err)
	}
	w := &workDir{dir: dir, data: filepath.Join(dir, dataName), inside: inside}
	if w.lock, err = lockDir(dir); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("restore work dir: %w", err)
	}
	return w, nil
}

// mountPoint reports whether dir exists on another file system than its parent.
func mountPoint(dir, parent string) (bool, error) {
	var a, b syscall.Stat_t
	if err := syscall.Stat(dir, &a); errors.Is(err, syscall.ENOENT) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("data dir %s: %w", dir, err)
	}
	if err := syscall.Stat(parent, &b); err != nil {
		return false, fmt.Errorf("data dir parent %s: %w", parent, err)
	}
	return a.Dev != b.Dev, nil
}

// commit moves the restored data into dataDir: by renaming the whole directory when dataDir does not
// exist, else by moving its entries into the empty dataDir (made 0700, as etcd wants it).
func (w *workDir) commit(dataDir string) error {
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(w.data, dataDir); err != nil {
			return fmt.Errorf("move the restored data into place: %w", err)
		}
		return syncDir(filepath.Dir(dataDir))
	}
	if !w.inside {
		if err := CheckEmpty(dataDir); err != nil {
			return err
		}
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	ents, err := os.ReadDir(w.data)
	if err != nil {
		return fmt.Errorf("read restored data: %w", err)
	}
	for _, e := range ents {
		if err := os.Rename(filepath.Join(w.data, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			return fmt.Errorf("move the restored data into place: %w", err)
		}
	}
	return syncDir(dataDir)
}

// remove removes the work dir, then lets go of its lock.
func (w *workDir) remove() {
	os.RemoveAll(w.dir)
	w.lock.Close()
}

// privatize takes the group and other bits off everything under dir, which the restore created,
// and makes dir 0700: etcd's own code honours the umask. Links are not followed (nor are there
// any: the tree is etcd's, in our private work dir).
func privatize(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir || !(d.IsDir() || d.Type().IsRegular()) {
			return err
		}
		fi, err := d.Info()
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			return err
		}
		return os.Chmod(p, fi.Mode().Perm()&^0o077)
	})
}
