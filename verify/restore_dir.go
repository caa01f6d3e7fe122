package verify

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotEmpty reports a data dir that already holds something.
var ErrNotEmpty = errors.New("data dir is not empty")

// CheckEmpty accepts a data dir that does not exist or is an empty directory.
func CheckEmpty(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
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
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return fmt.Errorf("%w: %s holds %s; move it aside first (mv %s %s.old)", ErrNotEmpty, dir,
			names[0], dir, dir)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("data dir: %w", err)
	}
	return nil
}

// workDir is where a restore is built: a sibling of the data dir, or a hidden directory inside an
// existing empty data dir that is a mount point (a rename cannot cross file systems).
type workDir struct {
	dir    string // removed at the end
	data   string // the restored data dir, moved into place by commit
	inside bool   // dir is inside the data dir
}

func newWorkDir(dataDir string) (*workDir, error) {
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
	where, prefix := parent, base+".restore-"
	if inside {
		where, prefix = abs, ".etcd-backupd-restore-"
	}
	dir, err := os.MkdirTemp(where, prefix)
	if err != nil {
		return nil, fmt.Errorf("restore work dir: %w", err)
	}
	return &workDir{dir: dir, data: filepath.Join(dir, "data"), inside: inside}, nil
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

func (w *workDir) remove() { os.RemoveAll(w.dir) }
