package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/kit"
)

// ErrNoKit reports a backup taken without a restore kit.
var ErrNoKit = errors.New("no restore kit")

// OpenKit downloads backup m's restore kit from o.Catalog, checks it against the manifest, decrypts
// it and reads it. It is held in memory only: it holds private keys.
func OpenKit(ctx context.Context, o Options, m *catalog.Manifest) (*kit.Kit, error) {
	if m.Kit == nil {
		return nil, fmt.Errorf("backup %s: %w (kit.enabled was off when it was taken)", m.ID, ErrNoKit)
	}
	if o.Identity == nil {
		return nil, fmt.Errorf("kit of backup %s: encryption.private_key is needed to decrypt it", m.ID)
	}
	stored, err := o.Catalog.ReadKit(ctx, m.Kit)
	if err != nil {
		return nil, err
	}
	plain, err := decodeKit(stored, o.Identity)
	if err != nil {
		return nil, fmt.Errorf("kit %s at %s: %w", m.Kit.Key, o.Catalog.Store, err)
	}
	if sum := catalog.SHA256Hex(plain); sum != m.Kit.PlainSHA256 {
		return nil, fmt.Errorf("kit %s at %s: plain sha256 %s, the manifest says %s", m.Kit.Key, o.Catalog.Store, sum, m.Kit.PlainSHA256)
	}
	k, err := kit.Read(plain)
	if err != nil {
		return nil, fmt.Errorf("kit %s at %s: %w", m.Kit.Key, o.Catalog.Store, err)
	}
	return k, nil
}

// decodeKit undoes what the backup did: OpenPGP, then zstd, bounded.
func decodeKit(stored []byte, id *crypto.Identity) ([]byte, error) {
	r, err := crypto.Decrypt(bytes.NewReader(stored), id)
	if err != nil {
		return nil, err
	}
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxWindow))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	plain, err := io.ReadAll(io.LimitReader(zr, catalog.MaxKitSize+1))
	if err != nil {
		return nil, err
	}
	if len(plain) > catalog.MaxKitSize {
		return nil, fmt.Errorf("more than %d plain bytes", catalog.MaxKitSize)
	}
	// Read to the end so that OpenPGP checks its integrity tag.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return plain, nil
}
