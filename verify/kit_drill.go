package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/kit"
	"github.com/etcd-backupd/etcd-backupd/kubecrypt"
)

// secretSample bounds how many restored Secrets a drill decrypts with the kit.
const secretSample = 1000

// valuePage is how many values one read of the walk asks for: a Secret may be up to 1 MiB.
const valuePage = 100

const secretsPrefix = "/registry/secrets/"

// kitCheck is what a drill proves of a backup's kit: it decrypts and reads, its certificates chain
// to its CA, and the restored Secrets decrypt with its EncryptionConfiguration.
type kitCheck struct {
	k   *kit.Kit
	enc *kubecrypt.Config // nil: the kit holds no EncryptionConfiguration
}

// openKitCheck opens m's kit and checks its certificates; nil without a kit.
func openKitCheck(ctx context.Context, o *Options, m *catalog.Manifest, d *catalog.Drill) (*kitCheck, error) {
	if m.Kit == nil {
		return nil, nil
	}
	k, err := OpenKit(ctx, *o, m)
	if err != nil {
		return nil, err
	}
	d.Figures["kit_files"] = int64(len(k.Files))
	var errs []error
	for _, f := range k.CheckCerts(o.Now()) {
		if f.Severity == kit.SeverityError {
			errs = append(errs, errors.New(f.String()))
			continue
		}
		o.Logger.Warn("restore kit", zap.String("backup", m.ID), zap.String("finding", f.String()))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("kit of backup %s: %w", m.ID, err)
	}
	kc := &kitCheck{k: k}
	if k.EncryptionConfig != "" {
		data, _ := k.File(k.EncryptionConfig)
		if kc.enc, err = kubecrypt.ParseConfig(data); err != nil {
			return nil, fmt.Errorf("kit of backup %s: EncryptionConfiguration %s: %w", m.ID, k.EncryptionConfig, err)
		}
	}
	return kc, nil
}

// secrets decrypts up to secretSample Secrets the restored member serves at rev with the kit's
// EncryptionConfiguration. A Secret that cannot be read with what was kept fails the drill.
func (kc *kitCheck) secrets(ctx context.Context, c *clientv3.Client, rev int64, d *catalog.Drill) error {
	var werr error
	kvs := func(yield func(string, []byte) bool) {
		werr = walkValues(ctx, c, secretsPrefix, rev, secretSample, yield)
	}
	if kc.enc == nil {
		if err := noConfig(kvs); err != nil {
			return err
		}
		return werr
	}
	s := kc.enc.CheckAll(kvs)
	if werr != nil {
		return werr
	}
	d.Figures["kit_secrets_checked"] = int64(s.Checked)
	d.Figures["kit_secrets_decrypted"] = int64(s.Decrypted)
	d.Figures["kit_secrets_kms"] = int64(s.KMS)
	if err := s.Err(); err != nil {
		return fmt.Errorf("kit: %d of %d restored Secrets do not decrypt with the kit's EncryptionConfiguration %s: %w",
			s.Failed, s.Checked, kc.k.EncryptionConfig, err)
	}
	return nil
}

// noConfig fails on the first Secret stored encrypted: the kit cannot read it.
func noConfig(kvs iter.Seq2[string, []byte]) error {
	for key, v := range kvs {
		if bytes.HasPrefix(v, []byte("k8s:enc:")) {
			return fmt.Errorf("kit: Secret %s is encrypted at rest (%.40s...), but the kit holds no "+
				"EncryptionConfiguration (kit.encryption_config)", key, v)
		}
	}
	return nil
}

// walkValues yields the keys and values under prefix at rev, page by page, up to limit.
func walkValues(ctx context.Context, c *clientv3.Client, prefix string, rev int64, limit int, yield func(string, []byte) bool) error {
	end := clientv3.GetPrefixRangeEnd(prefix)
	key, n := prefix, 0
	for n < limit {
		resp, err := c.Get(ctx, key, clientv3.WithRange(end), clientv3.WithLimit(int64(min(valuePage, limit-n))),
			clientv3.WithRev(rev), clientv3.WithSerializable())
		if err != nil {
			return fmt.Errorf("read %s at revision %d: %w", prefix, rev, err)
		}
		for _, kv := range resp.Kvs {
			n++
			if !yield(string(kv.Key), kv.Value) {
				return nil
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return nil
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	return nil
}
