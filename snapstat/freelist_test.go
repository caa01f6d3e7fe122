package snapstat_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"google.golang.org/protobuf/proto"
)

// A database written with bbolt directly, with its freelist synced (etcd does not sync it) and nested
// buckets (etcd has none), as a member's db file or as the stream a snapshot of it would be.
func TestSyncedFreelistAndNestedBuckets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes int  // write transactions after the first: transaction n writes meta page n%2, the first is 2
		grow   bool // whether the last one grows the database, so that the meta pages differ in size
		stream bool
	}{
		{"file, meta 0 newest", 4, false, false},
		{"file, meta 1 newest", 3, false, false},
		{"file, meta 1 newest and larger", 3, true, false},
		{"stream of it", 3, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeBolt(t, tc.writes, tc.grow)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stream {
				data = streamOf(t, path)
			}
			st := assertAgrees(t, data)
			// Keys k0..k999 were put at revisions 1..1000, and k0..k99 deleted at 1001..1100.
			if st.Revision != 1100 || st.TotalKeys != 900 || st.StorageVersion != "3.6.0" {
				t.Errorf("status = %+v, want revision 1100, 900 keys, storage version 3.6.0", st)
			}
			if free := freePages(t, path); free == 0 {
				t.Errorf("the freelist is empty: the case does not test it")
			}
		})
	}
}

// writeBolt writes an etcd-like database with a synced freelist in 1+writes transactions, the last one
// adding 1 MiB if grow, and returns its path.
func writeBolt(t *testing.T, writes int, grow bool) string {
	path := filepath.Join(t.TempDir(), "member.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: false})
	if err != nil {
		t.Fatal(err)
	}
	update := func(fn func(tx *bolt.Tx) error) {
		t.Helper()
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx *bolt.Tx) error {
		if err := etcdBuckets(tx, 1000, 200); err != nil {
			return err
		}
		return nestedBuckets(tx)
	})
	for w := range writes {
		update(func(tx *bolt.Tx) error {
			keys := tx.Bucket([]byte("key"))
			for i := w * 100 / writes; i < (w+1)*100/writes; i++ {
				if err := keys.Put(revKey(int64(1001+i), true), kvValue(i, 0)); err != nil {
					return err
				}
				// As a compaction would: the first 50 revisions go, their pages are freed.
				if i < 50 {
					if err := keys.Delete(revKey(int64(i+1), false)); err != nil {
						return err
					}
				}
			}
			size := 3000
			if grow && w == writes-1 {
				size = 1 << 20
			}
			paged := tx.Bucket([]byte("nest")).Bucket([]byte("paged"))
			return paged.Put([]byte(fmt.Sprint("w", w)), bytes.Repeat([]byte{'w'}, size))
		})
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// nestedBuckets adds a bucket holding a bucket on pages of its own, with a bucket nested in it, and an
// inline bucket.
func nestedBuckets(tx *bolt.Tx) error {
	nest, err := tx.CreateBucket([]byte("nest"))
	if err != nil {
		return err
	}
	paged, _ := nest.CreateBucket([]byte("paged"))
	inline, _ := nest.CreateBucket([]byte("inline"))
	deep, _ := paged.CreateBucket([]byte("deep"))
	if err := nest.Put([]byte("plain"), []byte("value")); err != nil {
		return err
	}
	if err := inline.Put([]byte("small"), []byte("value")); err != nil {
		return err
	}
	for i := range 300 {
		if err := paged.Put(fmt.Appendf(nil, "p%03d", i), bytes.Repeat([]byte{byte(i)}, 100)); err != nil {
			return err
		}
		if err := deep.Put(fmt.Appendf(nil, "d%03d", i), bytes.Repeat([]byte{byte(i)}, 50)); err != nil {
			return err
		}
	}
	return nil
}

// revKey is a key of etcd's key bucket: main revision, '_', sub revision 0, and 't' for a tombstone.
func revKey(main int64, tombstone bool) []byte {
	if tombstone {
		return rawRev(uint64(main), '_', 0, 't')
	}
	return rawRev(uint64(main), '_', 0)
}

// kvValue is the mvccpb.KeyValue of key k<i> with a value of size bytes (none for a tombstone).
func kvValue(i, size int) []byte {
	kv := &mvccpb.KeyValue{Key: fmt.Appendf(nil, "k%d", i), Value: bytes.Repeat([]byte{'v'}, size),
		CreateRevision: int64(i + 1), ModRevision: int64(i + 1), Version: 1}
	b, err := proto.Marshal(kv)
	if err != nil {
		panic(err)
	}
	return b
}

// streamOf is the snapshot stream etcd would send of the database at path: tx.WriteTo and a sha256.
func streamOf(t *testing.T, path string) []byte {
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var buf bytes.Buffer
	if err := db.View(func(tx *bolt.Tx) error { _, err := tx.WriteTo(&buf); return err }); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return append(buf.Bytes(), sum[:]...)
}

// freePages is the length of the freelist bbolt reads from its page.
func freePages(t *testing.T, path string) int {
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return db.Stats().FreePageN
}
