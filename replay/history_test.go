package replay

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// history is what a real etcd did after a snapshot: the snapshot, its revision, every event after
// it by revision, and the keyspace (and a snapshot) at a few revisions.
type history struct {
	base    string // snapshot file, sha256 trailer included
	baseRev int64
	events  map[int64][]*mvccpb.Event
	points  []point
	leases  map[string]clientv3.LeaseID // by the name the workload gives them
}

// point is the original's state at one revision.
type point struct {
	rev  int64
	kvs  []*mvccpb.KeyValue
	snap string // snapshot file at rev
}

// recorder drives a member and keeps its history.
type recorder struct {
	t    testing.TB
	c    *clientv3.Client
	dir  string
	h    *history
	last int64 // revision of the last write

	mu   sync.Mutex
	seen int64 // highest revision the watcher has delivered
	werr error
}

// recordHistory runs the workload on a new embedded member.
func recordHistory(t *testing.T) *history {
	m := etcdtest.Start(t, etcdtest.Options{})
	r := &recorder{t: t, c: m.Client(t), dir: t.TempDir(),
		h: &history{events: map[int64][]*mvccpb.Event{}, leases: map[string]clientv3.LeaseID{}}}
	r.before()
	r.h.base = filepath.Join(r.dir, "base.db")
	saveSnapshot(t, r.c, r.h.base)
	r.h.baseRev = r.last
	ctx, cancel := context.WithCancel(context.Background())
	done := r.watch(ctx, r.last+1)
	defer func() { cancel(); <-done }()
	r.after()
	return r.h
}

// before writes the base: many keys, overwrites, binary keys, keys on leases, a deletion, and a
// compaction at the deletion's revision.
func (r *recorder) before() {
	r.putMany("/many/base-", 1200)
	r.put("/a/1", "one")
	r.put("/a/1", "one again")
	for i := 2; i <= 5; i++ {
		r.put(fmt.Sprintf("/a/%d", i), strings.Repeat("v", i))
	}
	r.put("/bin/\x00\x01", "binary key")
	r.put("/bin/\xff\xfe", "high bytes")
	r.put("\x00", "the smallest key")
	r.put("\xff\xff\xff", "a large key")
	r.grant("base-revoked", 600)
	r.grant("base-kept", 600)
	r.put("/lease/base-1", "on base-revoked", "base-revoked")
	r.put("/lease/base-2", "on base-revoked", "base-revoked")
	r.put("/lease/base-3", "on base-revoked", "base-revoked")
	r.put("/lease/kept", "on base-kept", "base-kept")
	r.del("/a/5")
	r.compact(r.last)
}

// after writes past the base and records three points.
func (r *recorder) after() {
	r.put("/b/new", "new")
	r.put("/a/1", "third")
	r.del("/a/2")
	r.point()

	r.txn(clientv3.OpPut("/t/1", "t1"), clientv3.OpPut("/t/2", "t2"), clientv3.OpDelete("/a/3"),
		clientv3.OpPut("/a/4", "overwritten in a txn"))
	r.del("/t/", clientv3.WithPrefix())
	r.grant("after", 30)
	r.grant("after-kept", 30)
	r.put("/lease/new-1", "on after", "after")
	r.put("/lease/new-2", "on after", "after")
	r.put("/b/new", "moved onto after", "after")
	r.put("/lease/base-1", "moved onto after-kept", "after-kept")
	r.put("/lease/base-2", "detached from base-revoked")
	r.put("/big", strings.Repeat("x", 200<<10))
	r.point()

	r.caughtUp()
	r.compact(r.last)
	r.revoke("after")
	r.revoke("base-revoked")
	r.del("/a/4")
	r.put("/a/4", "re-created")
	r.putMany("/many/after-", 1200)
	r.del("/many/base-00", clientv3.WithPrefix())
	r.point()
	r.caughtUp()
}
