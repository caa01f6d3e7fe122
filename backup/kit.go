package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/kit"
)

// sealedKit is a restore kit as it is stored: a tar, zstd, then OpenPGP to the backups' recipients.
type sealedKit struct {
	data []byte
	info catalog.KitInfo // without the key, which names the backup
}

// sealKit collects the restore kit from this node and encodes it in memory: it holds private keys,
// so it never touches the spool in the clear.
func sealKit(o *Options) (*sealedKit, error) {
	if o.Recipients == nil {
		return nil, errors.New("kit: backups are not encrypted, and the kit holds private keys")
	}
	k, err := kit.Collect(*o.Kit)
	if err != nil {
		return nil, fmt.Errorf("kit: %w", err)
	}
	for _, s := range k.Skipped {
		o.Logger.Warn("left out of the restore kit", zap.String("path", s.Path), zap.String("why", s.Reason))
	}
	plain, err := k.Tar()
	if err != nil {
		return nil, fmt.Errorf("kit: %w", err)
	}
	data, err := encodeKit(plain, o.Recipients)
	if err != nil {
		return nil, fmt.Errorf("kit: encode: %w", err)
	}
	return &sealedKit{data: data, info: catalog.KitInfo{Size: int64(len(data)), SHA256: catalog.SHA256Hex(data),
		PlainSHA256: catalog.SHA256Hex(plain), Files: len(k.Files), EncryptionConfig: k.EncryptionConfig}}, nil
}

func encodeKit(plain []byte, r *crypto.Recipients) ([]byte, error) {
	var buf bytes.Buffer
	enc, err := crypto.Encrypt(&buf, r)
	if err != nil {
		return nil, err
	}
	zw, err := zstd.NewWriter(enc, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(plain); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// prepareKit seals the kit before the snapshot is taken. A kit that cannot be collected does not
// stop the backup, which matters more: it is committed without a kit, and the error is reported.
func (a *attempt) prepareKit() {
	if a.o.Kit == nil {
		return
	}
	if a.kit, a.kitErr = sealKit(&a.o); a.kitErr != nil {
		a.o.Logger.Error("backup without its restore kit", zap.String("id", a.id), zap.Error(a.kitErr))
	}
}

// putKit writes the kit at d before its manifest, which refers to it.
func (d *dest) putKit(ctx context.Context, id string, k *sealedKit) (*catalog.KitInfo, error) {
	if k == nil {
		return nil, nil
	}
	info := k.info
	info.Key = d.cat.Layout.KitKey(id)
	if err := d.cat.PutKit(ctx, id, k.data); err != nil {
		return nil, fmt.Errorf("write kit %s: %w", info.Key, err)
	}
	return &info, nil
}
