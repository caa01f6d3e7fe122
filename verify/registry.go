package verify

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"google.golang.org/protobuf/proto"
)

// registryScan bounds how many revisions hasRegistryKeys looks at.
const registryScan = 100_000

// hasRegistryKeys tells whether a snapshot holds Kubernetes data, looking at its first revisions
// for a key under /registry/. The file has already been checked against the manifest, whose
// status was taken when the backup was made.
func hasRegistryKeys(ctx context.Context, path string) (found bool, err error) {
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: 10 * time.Second})
	if err != nil {
		return false, fmt.Errorf("open snapshot %s: %w", path, err)
	}
	defer db.Close()
	defer func() {
		if r := recover(); r != nil {
			found, err = false, fmt.Errorf("read snapshot %s: %v", path, r)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("key"))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		n := 0
		for k, v := c.First(); k != nil && n < registryScan; k, v = c.Next() {
			if n%1000 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var kv mvccpb.KeyValue
			if proto.Unmarshal(v, &kv) == nil && bytes.HasPrefix(kv.Key, []byte(registryPrefix)) {
				found = true
				return nil
			}
			n++
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return found, nil
}
