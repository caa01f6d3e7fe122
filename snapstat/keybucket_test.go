package snapstat_test

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// What the scanner must do on an input, compared with the library.
const (
	agree    = iota // both fail, or both succeed with the same fields
	stricter        // the library succeeds; the scanner may refuse (explained by the case)
)

// Databases written with bbolt that etcd would not write: odd entries in the key and meta buckets.
func TestOddEntries(t *testing.T) {
	put := func(bucket string, k, v []byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucket)).Put(k, v) }
	}
	key := func(k []byte) func(tx *bolt.Tx) error { return put("key", k, kvValue(1, 0)) }
	value := func(v ...byte) func(tx *bolt.Tx) error { return put("key", rawRev(9, '_', 0), v) }
	for _, tc := range []struct {
		name   string
		want   int
		change func(tx *bolt.Tx) error
	}{
		{"nothing odd", agree, func(*bolt.Tx) error { return nil }},
		{"revision key of 19 bytes", agree, key(rawRev(9, '_', 0, 't', 't'))},
		{"revision key of 16 bytes", agree, key(rawRev(9, '_', 0)[:16])},
		{"revision key of 18 bytes not a tombstone", agree, key(rawRev(9, '_', 0, 'x'))},
		{"revision key without '_'", agree, key(rawRev(9, '-', 0))},
		{"negative main revision", agree, key(rawRev(1<<63|9, '_', 0))},
		{"negative sub revision", agree, key(rawRev(9, '_', 1<<63))},
		{"value not a KeyValue", agree, value(0x0a, 0x05, 'k')},
		{"value with an empty key", agree, value()},
		{"value with key as a varint", agree, value(0x08, 0x05)},
		{"value with the key twice", agree, value(0x0a, 1, 'a', 0x0a, 2, 'k', '1')},
		{"value with unknown fields", agree, value(0x0a, 2, 'k', '1', 0xf8, 0x01, 7, 0x92, 0x01, 1, 'x')},
		{"value with field number 0", agree, value(0x00, 0x01)},
		{"value with a group", agree, value(0x0a, 2, 'k', '1', 0x4b, 0x08, 1, 0x4c)},
		{"value with an unclosed group", agree, value(0x0a, 2, 'k', '1', 0x4b, 0x08, 1)},
		{"storage version not semver", agree, put("meta", []byte("storageVersion"), []byte("3.6"))},
		{"storage version a bucket", agree, func(tx *bolt.Tx) error {
			m := tx.Bucket([]byte("meta"))
			if err := m.Delete([]byte("storageVersion")); err != nil {
				return err
			}
			_, err := m.CreateBucket([]byte("storageVersion"))
			return err
		}},
		{"no key bucket", agree, func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("key")) }},
		{"value in the root bucket", agree, func(tx *bolt.Tx) error {
			return tx.Cursor().Bucket().Put([]byte("loose"), []byte("value"))
		}},
		// etcd nests no bucket. The library hashes the name, parses it as a revision and counts a key "".
		{"bucket in the key bucket", stricter, func(tx *bolt.Tx) error {
			_, err := tx.Bucket([]byte("key")).CreateBucket(rawRev(9, '_', 0))
			return err
		}},
		// The library reads storageVersion from a nil bucket and panics: etcd always has the bucket.
		{"no meta bucket", agree, func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("meta")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := streamOf(t, etcdLike(t, tc.change))
			v := judge(t, data, 1)
			switch {
			case tc.want == agree && !v.same() && (v.scanErr == nil || v.libErr == nil):
				t.Errorf("want both to fail or both to succeed alike: %v", v)
			case tc.want == stricter && (v.libErr != nil || v.bug()):
				t.Errorf("want the library to succeed, and the scanner to agree or fail: %v", v)
			}
			t.Log(v)
		})
	}
}

// etcdLike writes a small database with etcd's meta and key buckets, changes it, and returns its path.
func etcdLike(t *testing.T, change func(tx *bolt.Tx) error) string {
	path := filepath.Join(t.TempDir(), "etcd.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := etcdBuckets(tx, 3, 10); err != nil {
			return err
		}
		return change(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// etcdBuckets creates etcd's meta bucket (storage version 3.6.0) and key bucket, holding n revisions
// of values of about size bytes.
func etcdBuckets(tx *bolt.Tx, n, size int) error {
	meta, _ := tx.CreateBucket([]byte("meta"))
	keys, _ := tx.CreateBucket([]byte("key"))
	if err := meta.Put([]byte("storageVersion"), []byte("3.6.0")); err != nil {
		return err
	}
	for i := range n {
		if err := keys.Put(revKey(int64(i+1), false), kvValue(i, size)); err != nil {
			return err
		}
	}
	return nil
}

// rawRev is a key of etcd's key bucket made of its parts, whether etcd would write them or not.
func rawRev(main uint64, sep byte, sub uint64, mark ...byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, main)
	return append(binary.BigEndian.AppendUint64(append(b, sep), sub), mark...)
}
