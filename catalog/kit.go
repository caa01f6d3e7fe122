package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// MaxKitSize bounds a stored kit: it is read whole into memory, never spooled (it holds private keys).
const MaxKitSize = 80 << 20

// PutKit writes the stored bytes of backup id's restore kit, under the same lock as its data.
func (c *Catalog) PutKit(ctx context.Context, id string, data []byte) error {
	return c.write(ctx, c.Layout.KitKey(id), data, storage.WriteOptions{Lock: true, SizeHint: int64(len(data))})
}

// ReadKit reads the stored bytes of the kit k describes and checks their size and sha256.
func (c *Catalog) ReadKit(ctx context.Context, k *KitInfo) ([]byte, error) {
	r, err := c.Store.NewReader(ctx, k.Key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("kit %s at %s: missing", k.Key, c.Store)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxKitSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", k.Key, c.Store, err)
	}
	if int64(len(data)) != k.Size {
		return nil, fmt.Errorf("kit %s at %s: %d bytes stored, the manifest says %d", k.Key, c.Store, len(data), k.Size)
	}
	if sum := SHA256Hex(data); sum != k.SHA256 {
		return nil, fmt.Errorf("kit %s at %s: stored sha256 %s, the manifest says %s", k.Key, c.Store, sum, k.SHA256)
	}
	return data, nil
}

// SHA256Hex is the hex sha256 of data, as manifests record it.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
