package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

func itoa(i int) string { return strconv.Itoa(i) }

// assertKeys checks that member m serves every key and at least revision rev.
func assertKeys(t *testing.T, m *etcdtest.Member, keys []string, rev int64) {
	t.Helper()
	c := m.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
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
			t.Fatalf("restored member lacks %s (%d keys served, %d written)", k, len(got), len(keys))
		}
	}
	if resp.Header.Revision < rev {
		t.Fatalf("restored revision %d < backup revision %d", resp.Header.Revision, rev)
	}
}
