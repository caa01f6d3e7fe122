package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
)

// Compare compares the live keyspace of the etcd database files a and b at their current revisions:
// the revision itself, then per key the key, value, create_revision, mod_revision, version and lease.
// The error names the first key that differs (values by size, never by content).
//
// It opens copies made beside each file (on the same file system, where a copy may share blocks),
// so that neither file is changed, and removes them before it returns. It holds both databases'
// key indexes, as etcd does, but only a page of keys and one value per database at a time.
func Compare(ctx context.Context, a, b string) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	da, err := openCopy(a)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	defer func() { err = errors.Join(err, da.discard()) }()
	db, err := openCopy(b)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	defer func() { err = errors.Join(err, db.discard()) }()
	if err := compare(ctx, da.kv, db.kv); err != nil {
		return fmt.Errorf("compare a=%s b=%s: %w", a, b, err)
	}
	return nil
}

// compare walks both keyspaces in key order, side by side.
func compare(ctx context.Context, a, b mvcc.KV) error {
	rev := a.Rev()
	if rb := b.Rev(); rev != rb {
		return fmt.Errorf("revision a=%d b=%d", rev, rb)
	}
	ia, ib := newKeyIter(a, rev), newKeyIter(b, rev)
	for {
		ka, err := ia.next(ctx)
		if err != nil {
			return fmt.Errorf("read a: %w", err)
		}
		kb, err := ib.next(ctx)
		if err != nil {
			return fmt.Errorf("read b: %w", err)
		}
		switch {
		case ka == nil && kb == nil:
			return nil
		case kb == nil || ka != nil && bytes.Compare(ka.Key, kb.Key) < 0:
			return fmt.Errorf("key %q: in a, not in b", ka.Key)
		case ka == nil || bytes.Compare(ka.Key, kb.Key) > 0:
			return fmt.Errorf("key %q: in b, not in a", kb.Key)
		}
		if err := compareKey(ctx, a, b, ka, kb, rev); err != nil {
			return fmt.Errorf("key %q: %w", ka.Key, err)
		}
	}
}

// compareKey compares one key present in both: the revisions from the indexes, then the stored
// lease and value.
func compareKey(ctx context.Context, a, b mvcc.KV, ka, kb *mvccpb.KeyValue, rev int64) error {
	if err := compareFields(ka, kb); err != nil {
		return err
	}
	va, err := get(ctx, a, ka.Key, rev)
	if err != nil {
		return fmt.Errorf("read a: %w", err)
	}
	vb, err := get(ctx, b, kb.Key, rev)
	if err != nil {
		return fmt.Errorf("read b: %w", err)
	}
	if va.Lease != vb.Lease {
		return fmt.Errorf("lease a=%x b=%x", va.Lease, vb.Lease)
	}
	if !bytes.Equal(va.Value, vb.Value) {
		return fmt.Errorf("values differ (a=%d bytes b=%d bytes)", len(va.Value), len(vb.Value))
	}
	return nil
}

func compareFields(a, b *mvccpb.KeyValue) error {
	switch {
	case a.CreateRevision != b.CreateRevision:
		return fmt.Errorf("create_revision a=%d b=%d", a.CreateRevision, b.CreateRevision)
	case a.ModRevision != b.ModRevision:
		return fmt.Errorf("mod_revision a=%d b=%d", a.ModRevision, b.ModRevision)
	case a.Version != b.Version:
		return fmt.Errorf("version a=%d b=%d", a.Version, b.Version)
	}
	return nil
}

// get reads one key with its value at rev.
func get(ctx context.Context, kv mvcc.KV, key []byte, rev int64) (*mvccpb.KeyValue, error) {
	r, err := kv.Range(ctx, key, nil, mvcc.RangeOptions{Rev: rev})
	if err != nil {
		return nil, err
	}
	if len(r.KVs) != 1 {
		return nil, fmt.Errorf("%d values for a key of the index", len(r.KVs))
	}
	return r.KVs[0], nil
}

// scratch is a database opened on a copy of a file.
type scratch struct {
	*DB
	path string
}

// openCopy copies the file at path beside it and opens the copy.
func openCopy(path string) (*scratch, error) {
	name, err := copyBeside(path)
	if err != nil {
		return nil, err
	}
	d, err := Open(name, Options{})
	if err != nil {
		return nil, errors.Join(err, os.Remove(name))
	}
	return &scratch{DB: d, path: name}, nil
}

// discard closes the database and removes the copy.
func (s *scratch) discard() error {
	return errors.Join(s.Close(), os.Remove(s.path))
}

// copyBeside copies the file at path to a new hidden file in the same directory.
func copyBeside(path string) (name string, err error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".compare-*")
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", path, err)
	}
	// io.Copy between files uses copy_file_range on Linux: no pass through user space.
	_, err = io.Copy(dst, src)
	err = errors.Join(err, dst.Close())
	if err != nil {
		return "", errors.Join(fmt.Errorf("copy %s: %w", path, err), os.Remove(dst.Name()))
	}
	return dst.Name(), nil
}
