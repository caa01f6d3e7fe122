package replay

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
)

// trailerSize is the sha256 that etcd appends to a snapshot stream.
const trailerSize = sha256.Size

// hasTrailer tells as etcdutl does: a bbolt file is a whole number of pages, each a multiple of 512 bytes.
func hasTrailer(size int64) bool { return size%512 == trailerSize }

// cutTrailer checks the sha256 trailer of the file at path, when it has one, and cuts it off: the
// restore that follows the replay skips the hash check, so this is the only one.
func cutTrailer(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = cutTrailerFile(f)
	return errors.Join(err, f.Close())
}

func cutTrailerFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if !hasTrailer(size) {
		return nil
	}
	want := make([]byte, trailerSize)
	if _, err := f.ReadAt(want, size-trailerSize); err != nil {
		return fmt.Errorf("read sha256 trailer: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size-trailerSize)); err != nil {
		return fmt.Errorf("hash snapshot: %w", err)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return fmt.Errorf("sha256 trailer mismatch: the data hashes to %x, the trailer says %x", got, want)
	}
	if err := f.Truncate(size - trailerSize); err != nil {
		return fmt.Errorf("cut sha256 trailer: %w", err)
	}
	return nil
}
