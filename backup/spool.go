package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	spoolSuffix = ".db.part"
	lockName    = ".lock"
)

// Spool is the working directory (0700) that holds the stored (compressed, encrypted) stream of the
// backup under way, for retries. One backup holds its lock at a time.
type Spool struct {
	Dir  string
	lock *os.File
}

// OpenSpool creates or tightens dir to 0700, takes its lock and removes leftovers of earlier runs.
func OpenSpool(dir string) (*Spool, []string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("spool %s: another backup is running here", dir)
		}
		return nil, nil, fmt.Errorf("spool %s: lock: %w", dir, err)
	}
	s := &Spool{Dir: dir, lock: f}
	removed, err := s.clean()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, removed, nil
}

// clean removes spool files left by a crash: the stored stream, plain only if encryption is off.
func (s *Spool) clean() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), spoolSuffix) {
			continue
		}
		p := filepath.Join(s.Dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("spool: remove leftover %s: %w", p, err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// Create opens a new spool file (0600) for one attempt.
func (s *Spool) Create(name string) (*os.File, error) {
	p := filepath.Join(s.Dir, name+spoolSuffix)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return f, nil
}

// Close releases the lock.
func (s *Spool) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close()
	s.lock = nil
	return err
}

// spoolSink writes the stored stream to the spool file in its own goroutine, so that a destination
// that failed can be sent the same bytes again. The file is not fsynced: it is only read back by this
// process, and a crash leaves a leftover that the next start removes.
func spoolSink(f *os.File) *sink {
	return newSink(destQueue, func(b []byte) error { return spoolWrite(f, b) }, nil)
}

// spoolWriteHook, when set by tests, fails spool writes with its error.
var spoolWriteHook func() error

func spoolWrite(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil && spoolWriteHook != nil {
		err = spoolWriteHook()
	}
	if err != nil {
		return fmt.Errorf("spool %s: %w", f.Name(), err)
	}
	return nil
}
