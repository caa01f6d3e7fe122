package verify

import (
	"fmt"
	"io"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// check turns the outcome of one pass into the error that names its cause. A stored object that
// differs from the manifest is named first, since it explains any decryption error that follows.
func check(m *catalog.Manifest, src *source, out *sink, err error) (Sums, error) {
	if src.err == nil && out.err == nil {
		io.Copy(io.Discard, src) // read to the end, so that the stored sums cover every byte
	}
	s := Sums{StoredSize: src.c.Size(), StoredSHA256: src.c.Hex(), PlainSize: out.c.Size(), PlainSHA256: out.c.Hex()}
	if src.err != nil {
		return s, fmt.Errorf("read %s: %w", m.Object.Key, src.err)
	}
	if out.err != nil {
		return s, out.err
	}
	if serr := storedMismatch(m, s); serr != nil {
		if err != nil {
			return s, fmt.Errorf("%w (%w)", serr, err)
		}
		return s, serr
	}
	if err != nil {
		return s, err
	}
	if err := mismatch("snapshot size", m.Snapshot.Size, s.PlainSize); err != nil {
		return s, err
	}
	return s, mismatch("snapshot sha256", m.Snapshot.SHA256, s.PlainSHA256)
}

// storedMismatch compares the stored object with the manifest.
func storedMismatch(m *catalog.Manifest, s Sums) error {
	if s.StoredSize < m.Object.Size {
		return fmt.Errorf("%w: stored object %s is %d bytes, manifest says %d",
			ErrTruncated, m.Object.Key, s.StoredSize, m.Object.Size)
	}
	if err := mismatch("stored size", m.Object.Size, s.StoredSize); err != nil {
		return err
	}
	return mismatch("stored sha256", m.Object.SHA256, s.StoredSHA256)
}
