package verify

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// behindChunk is how much of the plain snapshot a restore writes before it starts the writeback of
// those bytes (writeBehind).
const behindChunk = 16 << 20

// writeRestorePlain is writePlain for a restore: the plain snapshot goes to disk while it is being
// downloaded (writeBehind), rather than all at once when etcd's restore first syncs the database.
// It is synced before it is read: the disk writes more slowly than a download decodes, and at 8 GB
// a writeback still running under etcd's status made the status take 24 s instead of 15.
func writeRestorePlain(ctx context.Context, o *Options, m *catalog.Manifest, path string) (Sums, error) {
	f, err := createPrivate(path)
	if err != nil {
		return Sums{}, err
	}
	s, err := stream(ctx, o, m, &writeBehind{f: f})
	if err == nil {
		if err = f.Sync(); err != nil {
			err = fmt.Errorf("sync %s: %w", path, err)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	if err != nil {
		os.Remove(path)
	}
	return s, err
}

// writeBehind writes to f and, after every behindChunk bytes, starts the writeback of those bytes
// (sync_file_range SYNC_FILE_RANGE_WRITE, which does not wait for it). The disk then writes the
// database while the download decrypts and decompresses the rest, instead of on the restore's
// critical path, in the first fdatasync of etcd's backend (1.7 s of 2 GB); and the dirty pages stay
// a few chunks, far below the kernel's dirty limits (about 2.4 and 4.8 GB here), at any size.
// The pages stay cached for etcd's restore to read. Durability is that fdatasync's: a failed
// writeback shows there, so the hint's own errors are ignored.
type writeBehind struct {
	f       *os.File
	n       int64 // bytes written
	started int64 // bytes whose writeback was started
}

func (w *writeBehind) Write(p []byte) (int, error) {
	if writeHook != nil {
		if err := writeHook(w.n); err != nil {
			return 0, &os.PathError{Op: "write", Path: w.f.Name(), Err: err}
		}
	}
	n, err := w.f.Write(p)
	w.n += int64(n)
	if w.n-w.started >= behindChunk {
		_ = unix.SyncFileRange(int(w.f.Fd()), w.started, w.n-w.started, unix.SYNC_FILE_RANGE_WRITE)
		w.started = w.n
	}
	return n, err
}
