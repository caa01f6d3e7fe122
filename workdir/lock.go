package workdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrBusy is returned by Open when another process holds the directory's lock.
var ErrBusy = errors.New("in use by another process")

// lockName is the lock file of a working directory, the one first-release spools hold too.
const lockName = legacyLock

// Dir is a claimed working directory whose lock this process holds.
type Dir struct {
	Path string
	lock *os.File
}

// Open claims dir (see Claim) and takes its lock without waiting: one process works there at a
// time, and what it finds there from before was left by a process that died.
func Open(dir string) (*Dir, error) {
	if err := Claim(dir); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", dir, ErrBusy)
		}
		return nil, fmt.Errorf("%s: lock: %w", dir, err)
	}
	return &Dir{Path: dir, lock: f}, nil
}

// Close releases the lock.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}
