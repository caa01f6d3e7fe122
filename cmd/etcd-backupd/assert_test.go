package main

import (
	"strconv"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

func itoa(i int) string { return strconv.Itoa(i) }

// assertKeys checks that member m serves every key and at least revision rev.
func assertKeys(t *testing.T, m *etcdtest.Member, keys []string, rev int64) {
	t.Helper()
	if got := etcdtest.Serves(t, m.Client(t), keys); got < rev {
		t.Fatalf("restored revision %d < backup revision %d", got, rev)
	}
}
