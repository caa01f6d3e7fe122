package replay

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestOpenRefuses(t *testing.T) {
	b := newSmallBase(t, 0)
	snap, err := os.ReadFile(b.path)
	if err != nil {
		t.Fatal(err)
	}
	badTrailer := bytes.Clone(snap)
	badTrailer[len(badTrailer)-1] ^= 1
	cases := []struct {
		name string
		data []byte // nil: no file
		o    Options
		err  string
	}{
		{name: "missing file", err: "no such file"},
		{name: "empty file", data: []byte{}, err: "empty file"},
		{name: "not a database", data: bytes.Repeat([]byte("etcd"), 2048), err: "invalid database"},
		{name: "bad trailer", data: badTrailer, err: "sha256 trailer mismatch"},
		{name: "negative lease TTL", data: snap, o: Options{LeaseTTL: -1}, err: "lease TTL -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			if tc.data != nil {
				if err := os.WriteFile(path, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			d, err := Open(path, tc.o)
			if err == nil {
				_ = d.Close()
			}
			checkErr(t, err, []string{"open " + path, tc.err})
		})
	}
	t.Run("another bbolt database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
		if err := errors.Join(err, db.Close()); err != nil {
			t.Fatal(err)
		}
		_, err = Open(path, Options{})
		checkErr(t, err, []string{`not an etcd database: no "key" bucket`})
	})
	t.Run("directory", func(t *testing.T) {
		_, err := Open(t.TempDir(), Options{})
		checkErr(t, err, []string{"not a regular file"})
	})
}

// TestOpenCutsTrailer checks that the trailer goes and that the file is then a plain database, which
// opens again to the same revision.
func TestOpenCutsTrailer(t *testing.T) {
	b := newSmallBase(t, 0)
	d, path := b.open(t, Options{})
	if got := d.Rev(); got != b.rev {
		t.Fatalf("Rev() = %d, want %d", got, b.rev)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := d.Apply(b.rev+1, evs(put(b.rev+1, "/x", "x", b.rev+1, 1, 0))); err == nil {
		t.Fatalf("Apply after Close succeeded")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if hasTrailer(fi.Size()) {
		t.Fatalf("the file is %d bytes: the trailer is still there", fi.Size())
	}
	if got := openT(t, path, Options{}).Rev(); got != b.rev {
		t.Fatalf("reopened at revision %d, want %d", got, b.rev)
	}
}
