package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/kit"
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
	if err == nil && m.Kit != nil { // the kit decrypts and matches its manifest
		var k *kit.Kit
		if k, err = OpenKit(ctx, o, m); err == nil {
			d.Figures["kit_files"] = int64(len(k.Files))
		}
	}
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
// and renamed only when every check passed; on error nothing is left at path.part. path.part is
// created anew: an existing one is refused, unless it is a killed fetch's leftover, which is
// removed first.
func FetchFile(ctx context.Context, o Options, m *catalog.Manifest, path string) (Sums, error) {
	o.defaults()
	s, err := fetchFile(ctx, &o, m, path)
	return s, wrap(err, "fetch", &o, m)
}

func fetchFile(ctx context.Context, o *Options, m *catalog.Manifest, path string) (Sums, error) {
	part := path + ".part"
	f, err := createPart(part, o.Logger)
	if err != nil {
		return Sums{}, err
	}
	defer f.Close() // after the rename: its lock keeps another fetch from removing it
	s, err := writeSnapshot(ctx, o, m, f)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(part, path)
	}
	if err != nil {
		os.Remove(part)
		return s, err
	}
	return s, syncDir(dirOf(path))
}

// createPart creates a fetch's part file, after removing the leftover of a killed fetch there.
func createPart(part string, lg *zap.Logger) (*os.File, error) {
	f, err := createPrivate(part)
	if errors.Is(err, fs.ErrExist) && partLeftover(part) {
		if err := os.Remove(part); err != nil {
			return nil, fmt.Errorf("remove the leftover of a killed fetch: %w", err)
		}
		lg.Warn("removed the leftover of a killed fetch (plaintext)", zap.String("path", part))
		f, err = createPrivate(part)
	}
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists and is not the leftover of a fetch of ours (a link, another "+
			"user's, or other data): remove it, or fetch to another file", part)
	}
	return f, err
}

// writePlain streams the plain snapshot into a new file at path (0600), synced before it is read,
// which it removes on error. The sync comes before etcd's status or restore reads the file: the disk
// writes more slowly than a download decodes, and at 8 GB a writeback still running under etcd's
// status made the status take 24 s instead of 15.
func writePlain(ctx context.Context, o *Options, m *catalog.Manifest, path string) (Sums, error) {
	f, err := createPrivate(path)
	if err != nil {
		return Sums{}, err
	}
	s, err := writeSnapshot(ctx, o, m, f)
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

// writeSnapshot streams the plain snapshot into f, starting its writeback as it goes (writeBehind).
func writeSnapshot(ctx context.Context, o *Options, m *catalog.Manifest, f *os.File) (Sums, error) {
	return stream(ctx, o, m, &writeBehind{f: f})
}

// writeHook, when set by tests, is called before each write of a plain snapshot file with the
// bytes written so far; its error fails the write.
var writeHook func(written int64) error
