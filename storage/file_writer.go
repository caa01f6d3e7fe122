package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// errNotDir is returned when a path element is a regular file.
var errNotDir = syscall.ENOTDIR

// dirMode is the mode of directories the file store creates.
const dirMode = 0o700

// fileWriter writes <final>.tmp-<random> (0600, from os.CreateTemp) and
// renames it onto the final name at Commit; a create-only write links it there
// instead, which fails when the name exists.
type fileWriter struct {
	ctx    context.Context
	cancel context.CancelFunc
	store  *fileStore
	key    string
	final  string
	create bool // WriteOptions.IfNotExist
	mu     sync.Mutex
	f      *os.File
	done   bool
}

var _ Writer = (*fileWriter)(nil)

// NewWriter starts a temp file; the file store needs no size hint.
func (s *fileStore) NewWriter(ctx context.Context, key string, opts ...WriteOptions) (Writer, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, fmt.Errorf("upload %s to %s: %w", key, s.url, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("upload %s to %s: %w", key, s.url, err)
	}
	if err := s.mkdirBelow(filepath.Dir(p)); err != nil {
		return nil, fmt.Errorf("upload %s to %s: create directory: %w", key, s.url, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+tmpMarker+"*")
	if err != nil {
		return nil, fmt.Errorf("upload %s to %s: %w", key, s.url, err)
	}
	wctx, cancel := withUploadTimeout(ctx, s.timeout)
	return &fileWriter{ctx: wctx, cancel: cancel, store: s, key: key, final: p, f: f,
		create: writeOptions(opts).IfNotExist}, nil
}

func (w *fileWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return 0, w.wrap(errWriterDone)
	}
	if err := w.ctx.Err(); err != nil {
		return 0, w.wrap(err)
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, w.wrap(err)
	}
	return n, nil
}

// Commit fsyncs the temp file, renames it onto the final name and fsyncs the
// directory. On failure the temp file is removed and nothing is committed.
func (w *fileWriter) Commit() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.wrap(errWriterDone)
	}
	w.done = true
	defer w.cancel()
	tmp := w.f.Name()
	if err := w.commit(); err != nil {
		w.f.Close()
		os.Remove(tmp)
		return w.wrap(err)
	}
	return nil
}

func (w *fileWriter) commit() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if err := w.place(); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(w.final)); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// place puts the synced temp file at the final name.
func (w *fileWriter) place() error {
	if !w.create {
		if err := os.Rename(w.f.Name(), w.final); err != nil {
			return fmt.Errorf("rename: %w", err)
		}
		return nil
	}
	err := os.Link(w.f.Name(), w.final)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %w", ErrExists, err)
	}
	if err != nil {
		return fmt.Errorf("link: %w", err)
	}
	return os.Remove(w.f.Name())
}

// Abort closes and removes the temp file.
func (w *fileWriter) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	w.cancel()
	w.f.Close()
	os.Remove(w.f.Name())
}

func (w *fileWriter) wrap(err error) error {
	return fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, err)
}

// mkdirAll creates dir and its missing parents with mode 0700, fsyncing each
// parent so that the new entries survive a crash.
func mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errNotDir}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory, making renames and new entries in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
