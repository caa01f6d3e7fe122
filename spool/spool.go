// Package spool owns the working directory that holds the stored (compressed, encrypted) stream of
// the backup under way, so that a destination that failed can be sent it again. One backup holds
// the spool's lock at a time; files a crash left behind are removed by the next holder.
package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/etcd-backupd/etcd-backupd/workdir"
)

// Suffix ends the name of every spool file.
const Suffix = ".db.part"

// Spool is the locked spool directory (0700).
type Spool struct {
	Dir string
	wd  *workdir.Dir
}

// File is one spool file found in the directory.
type File struct {
	Path    string
	ModTime time.Time
}

// Open claims dir (see workdir.Claim), takes its lock and removes the files of earlier runs, which
// it returns.
func Open(dir string) (*Spool, []File, error) {
	wd, err := workdir.Open(dir)
	if errors.Is(err, workdir.ErrBusy) {
		return nil, nil, fmt.Errorf("spool %s: another backup is running here", dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("spool_dir: %w", err)
	}
	s := &Spool{Dir: dir, wd: wd}
	removed, err := s.clean()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, removed, nil
}

// Leftovers lists the spool files in dir without taking the lock: a running backup's file is
// listed too. A missing dir holds none.
func Leftovers(dir string) ([]File, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	var out []File
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), Suffix) {
			continue
		}
		f := File{Path: filepath.Join(dir, e.Name())}
		if fi, err := e.Info(); err == nil {
			f.ModTime = fi.ModTime()
		}
		out = append(out, f)
	}
	return out, nil
}

// clean removes spool files left by a crash: the stored stream, plain only if encryption is off.
func (s *Spool) clean() ([]File, error) {
	found, err := Leftovers(s.Dir)
	if err != nil {
		return nil, err
	}
	for i, f := range found {
		if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return found[:i], fmt.Errorf("spool: remove leftover %s: %w", f.Path, err)
		}
	}
	return found, nil
}

// Create opens a new spool file (0600) for one attempt.
func (s *Spool) Create(name string) (*os.File, error) {
	p := filepath.Join(s.Dir, name+Suffix)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_RDWR|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return f, nil
}

// Close releases the lock.
func (s *Spool) Close() error { return s.wd.Close() }
