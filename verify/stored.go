package verify

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// Stored reads the backup's object to its end and compares its size and sha256 with the manifest,
// without decrypting it: the check a node that holds only the public keys can make of a backup it
// just wrote (Quick, with the private key, also decrypts and decompresses).
func Stored(ctx context.Context, o Options, m *catalog.Manifest) error {
	o.defaults()
	if err := m.CheckPlace(o.Catalog.Layout, o.Catalog.Layout.ManifestKey(m.ID)); err != nil {
		return err
	}
	rc, err := o.Catalog.Store.NewReader(ctx, m.Object.Key)
	if errors.Is(err, storage.ErrNotFound) {
		err = fmt.Errorf("the data object is missing: %w", err)
	}
	if err != nil {
		return wrap(err, "verify", &o, m)
	}
	defer rc.Close()
	src := &source{ctx: ctx, r: rc, c: NewSum()}
	if _, err := io.Copy(io.Discard, src); err != nil {
		return wrap(err, "verify", &o, m)
	}
	if src.c.Size() != m.Object.Size || src.c.Hex() != m.Object.SHA256 {
		err := fmt.Errorf("stored object is %d bytes with sha256 %s, manifest says %d bytes and %s",
			src.c.Size(), src.c.Hex(), m.Object.Size, m.Object.SHA256)
		return wrap(err, "verify", &o, m)
	}
	if m.Kit != nil { // its stored bytes, which need no key
		if _, err := o.Catalog.ReadKit(ctx, m.Kit); err != nil {
			return wrap(err, "verify", &o, m)
		}
	}
	return nil
}
