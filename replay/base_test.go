package replay

import (
	"path/filepath"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// baseTTL is the TTL of the lease in a smallBase.
const baseTTL = 600

// smallBase is a real snapshot: /k/a = "a", /k/b = "b" on a lease, and n keys /n/0000... at the end.
type smallBase struct {
	path  string // sha256 trailer included
	rev   int64
	lease int64
	a     *mvccpb.KeyValue // /k/a as stored
}

func newSmallBase(t testing.TB, n int) *smallBase {
	t.Helper()
	c := etcdtest.Start(t, etcdtest.Options{}).Client(t)
	l, err := c.Grant(testCtx(t), baseTTL)
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	r := &recorder{t: t, c: c, h: &history{leases: map[string]clientv3.LeaseID{"l": l.ID}}}
	r.put("/k/a", "a")
	r.put("/k/b", "b", "l")
	if n > 0 {
		r.putMany("/n/", n)
	}
	got, err := c.Get(testCtx(t), "/k/a")
	if err != nil || len(got.Kvs) != 1 {
		t.Fatalf("get /k/a: %v, %v", got, err)
	}
	b := &smallBase{path: filepath.Join(t.TempDir(), "base.db"), rev: r.last, lease: int64(l.ID), a: got.Kvs[0]}
	saveSnapshot(t, c, b.path)
	return b
}

// open opens a copy of the base.
func (b *smallBase) open(t testing.TB, o Options) (*DB, string) {
	t.Helper()
	path := copyFile(t, b.path, t.TempDir(), "replayed.db")
	return openT(t, path, o), path
}

// put and del make the events a watch delivers.
func put(rev int64, key, value string, create, version, lease int64) *mvccpb.Event {
	return &mvccpb.Event{Type: mvccpb.Event_PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), Value: []byte(value),
		CreateRevision: create, ModRevision: rev, Version: version, Lease: lease}}
}

func del(rev int64, key string) *mvccpb.Event {
	return &mvccpb.Event{Type: mvccpb.Event_DELETE, Kv: &mvccpb.KeyValue{Key: []byte(key), ModRevision: rev}}
}

func evs(e ...*mvccpb.Event) []*mvccpb.Event { return e }
