package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Quick reads the backup's object to its end through decryption and decompression, compares every
// size and sha256 with the manifest, and writes the drill record. It writes nothing else.
func Quick(ctx context.Context, o Options, m *catalog.Manifest) (*catalog.Drill, error) {
	o.defaults()
	start := time.Now()
	d := newDrill(&o, m, catalog.ModeQuick)
	s, err := stream(ctx, &o, m, nil)
	step(d.Steps, StepDownload, start)
	sumFigures(d, s)
	return finish(ctx, &o, d, start, wrap(err, "verify", &o, m))
}

// Fetch streams the backup's plain snapshot into w, checking it as Quick does. w holds a verified
// snapshot only if Fetch returns nil: on error, discard what was written.
func Fetch(ctx context.Context, o Options, m *catalog.Manifest, w io.Writer) (Sums, error) {
	o.defaults()
	s, err := stream(ctx, &o, m, w)
	return s, wrap(err, "fetch", &o, m)
}

// FetchFile writes the verified plain snapshot to path (0600) through path.part, which is fsynced
// and renamed only when every check passed; on error nothing is left at path.part.
func FetchFile(ctx context.Context, o Options, m *catalog.Manifest, path string) (Sums, error) {
	o.defaults()
	part := path + ".part"
	s, err := writeSnapshot(ctx, &o, m, part, true)
	if err == nil {
		err = os.Rename(part, path)
	}
	if err == nil {
		err = syncDir(dirOf(path))
	}
	if err != nil {
		os.Remove(part)
	}
	return s, wrap(err, "fetch", &o, m)
}

// writeSnapshot streams the plain snapshot into a new file (0600) at path, fsynced when sync is set.
// It removes the file on error.
func writeSnapshot(ctx context.Context, o *Options, m *catalog.Manifest, path string, sync bool) (Sums, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return Sums{}, err
	}
	if err := f.Chmod(0o600); err != nil { // an existing file keeps its mode otherwise
		f.Close()
		os.Remove(path)
		return Sums{}, err
	}
	var w io.Writer = f
	if writeHook != nil {
		w = &hookWriter{f: f}
	}
	s, err := stream(ctx, o, m, w)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	if err != nil {
		os.Remove(path)
	}
	return s, err
}

// writeHook, when set by tests, is called before each write of a plain snapshot file with the
// bytes written so far; its error fails the write.
var writeHook func(written int64) error

type hookWriter struct {
	f *os.File
	n int64
}

func (h *hookWriter) Write(p []byte) (int, error) {
	if err := writeHook(h.n); err != nil {
		return 0, &os.PathError{Op: "write", Path: h.f.Name(), Err: err}
	}
	n, err := h.f.Write(p)
	h.n += int64(n)
	return n, err
}
