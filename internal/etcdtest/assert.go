package etcdtest

import (
	"context"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Serves checks that c serves every key and returns the revision it answered at.
func Serves(t testing.TB, c *clientv3.Client, keys []string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Get(ctx, "/registry/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatalf("read restored member: %v", err)
	}
	got := map[string]bool{}
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = true
	}
	for _, k := range keys {
		if !got[k] {
			t.Fatalf("restored member lacks %s (%d of %d keys)", k, len(got), len(keys))
		}
	}
	return resp.Header.Revision
}

// FillUntilNoSpace overwrites one key with 512 KiB values until etcd refuses a put for lack of space,
// which raises a real NOSPACE alarm on a member with a small quota.
func FillUntilNoSpace(t testing.TB, c *clientv3.Client) {
	t.Helper()
	value := strings.Repeat("x", 512<<10)
	for i := 0; i < 1000; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.Put(ctx, "/fill", value)
		cancel()
		if err != nil {
			if !strings.Contains(err.Error(), "database space exceeded") {
				t.Fatalf("put %d: %v, want database space exceeded", i, err)
			}
			return
		}
	}
	t.Fatalf("1000 puts of 512 KiB did not exceed the quota")
}
