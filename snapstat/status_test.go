package snapstat_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// etcdCase fills a new embedded member and returns a client allowed to take its snapshot.
type etcdCase struct {
	name  string
	keys  int              // live keys once filled: what total_keys must be
	shape func(shape) bool // whether the database has the shape the case is about
	fill  func(t *testing.T, m *etcdtest.Member) *clientv3.Client
}

var etcdCases = []etcdCase{
	{"empty member", 0, func(s shape) bool { return s.key.KeyN == 0 }, fillNothing},
	{"kubernetes objects", 3000, func(s shape) bool { return s.key.BranchPageN > 0 }, fillKubernetes},
	{"values beyond a page", 9, func(s shape) bool { return s.key.LeafOverflowN > 256 }, fillLargeValues},
	{"compacted, not defragmented", 300, func(s shape) bool { return s.free > 100 }, fillCompacted(false)},
	{"compacted and defragmented", 300, func(s shape) bool { return s.free < 10 }, fillCompacted(true)},
	{"many small keys", 30000, func(s shape) bool { return s.key.Depth >= 3 }, fillSmallKeys},
	{"leases and auth", 4, func(s shape) bool { return s.all.InlineBucketN >= 3 }, fillLeasesAuth},
}

func TestStatusMatchesLibrary(t *testing.T) {
	for _, tc := range etcdCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := etcdtest.Start(t, etcdtest.Options{})
			data := snapshotStream(t, tc.fill(t, m))
			st := assertAgrees(t, data)
			if s := shapeOf(t, data); !tc.shape(s) {
				t.Errorf("the database does not have the shape this case is about: %+v", s)
			}
			if st.TotalKeys != tc.keys {
				t.Errorf("total keys = %d, want %d", st.TotalKeys, tc.keys)
			}
			if st.TotalSize != int64(len(data)-32) {
				t.Errorf("total size = %d, want the stream without its trailer, %d", st.TotalSize, len(data)-32)
			}
		})
	}
}

// txn applies ops in transactions of up to 128 operations, etcd's default limit.
func txn(t *testing.T, c *clientv3.Client, ops ...clientv3.Op) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for len(ops) > 0 {
		n := min(len(ops), 128)
		if _, err := c.Txn(ctx).Then(ops[:n]...).Commit(); err != nil {
			t.Fatalf("txn: %v", err)
		}
		ops = ops[n:]
	}
}

func fillNothing(t *testing.T, m *etcdtest.Member) *clientv3.Client { return m.Client(t) }

func fillKubernetes(t *testing.T, m *etcdtest.Member) *clientv3.Client {
	c := m.Client(t)
	etcdtest.Fill(t, c, 3000, 1024, 7)
	return c
}

// fillSmallKeys puts 30000 keys of one-byte values: a key bucket three pages deep.
func fillSmallKeys(t *testing.T, m *etcdtest.Member) *clientv3.Client {
	c := m.Client(t)
	var ops []clientv3.Op
	for i := range 30000 {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("/k/%07d", i), "v"))
	}
	txn(t, c, ops...)
	return c
}

// fillLargeValues puts values of 10 KiB, 100 KiB and 1 MiB, which bbolt keeps on overflow pages.
func fillLargeValues(t *testing.T, m *etcdtest.Member) *clientv3.Client {
	c := m.Client(t)
	rng := rand.New(rand.NewPCG(3, 3))
	for _, size := range []int{10 << 10, 100 << 10, 1 << 20} {
		for i := range 3 {
			v := make([]byte, size)
			for j := range v {
				v[j] = byte(rng.Uint32())
			}
			txn(t, c, clientv3.OpPut(fmt.Sprintf("/large/%d/%d", size, i), string(v)))
		}
	}
	return c
}

// fillCompacted writes 500 keys three times, deletes 200, compacts, and defragments if asked. Without
// defragmentation the free pages still hold stale pages of the tree.
func fillCompacted(defrag bool) func(t *testing.T, m *etcdtest.Member) *clientv3.Client {
	return func(t *testing.T, m *etcdtest.Member) *clientv3.Client { return compacted(t, m, defrag) }
}

func compacted(t *testing.T, m *etcdtest.Member, defrag bool) *clientv3.Client {
	c := m.Client(t)
	for round := range 3 {
		var ops []clientv3.Op
		for i := range 500 {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/c/%04d", i), strings.Repeat(fmt.Sprint(round), 2000)))
		}
		txn(t, c, ops...)
	}
	var ops []clientv3.Op
	for i := range 200 {
		ops = append(ops, clientv3.OpDelete(fmt.Sprintf("/c/%04d", i*2)))
	}
	txn(t, c, ops...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := c.Get(ctx, "/c/0001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatalf("compact: %v", err)
	}
	if defrag {
		if _, err := c.Defragment(ctx, m.Endpoint); err != nil {
			t.Fatalf("defragment: %v", err)
		}
	}
	return c
}

// fillLeasesAuth grants leases, attaches keys to some, revokes one, adds users and roles and enables
// auth. It returns a client logged in as root.
func fillLeasesAuth(t *testing.T, m *etcdtest.Member) *clientv3.Client {
	c := m.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var leases []clientv3.LeaseID
	for range 4 {
		l, err := c.Grant(ctx, 3600)
		if err != nil {
			t.Fatalf("grant: %v", err)
		}
		leases = append(leases, l.ID)
	}
	for i, l := range leases[:3] {
		txn(t, c, clientv3.OpPut(fmt.Sprintf("/lease/%d/a", i), "x", clientv3.WithLease(l)),
			clientv3.OpPut(fmt.Sprintf("/lease/%d/b", i), "y", clientv3.WithLease(l)))
	}
	if _, err := c.Revoke(ctx, leases[0]); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	for _, step := range []func() error{
		func() error { _, err := c.RoleAdd(ctx, "root"); return err },
		func() error { _, err := c.UserAdd(ctx, "root", "rootpw"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := c.RoleAdd(ctx, "reader"); return err },
		func() error {
			_, err := c.RoleGrantPermission(ctx, "reader", "/lease/", "/lease0", clientv3.PermissionType(clientv3.PermRead))
			return err
		},
		func() error { _, err := c.UserAdd(ctx, "alice", "alicepw"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "alice", "reader"); return err },
		func() error { _, err := c.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("auth setup: %v", err)
		}
	}
	root, err := clientv3.New(clientv3.Config{Endpoints: []string{m.Endpoint}, Username: "root", Password: "rootpw",
		DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("root client: %v", err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// shape is what the tree of a snapshot looks like, from bbolt.
type shape struct {
	key  bolt.BucketStats // the key bucket
	all  bolt.BucketStats // every bucket
	free int              // pages on the freelist
}

func shapeOf(t *testing.T, data []byte) shape {
	t.Helper()
	db, err := bolt.Open(save(t, data), 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s shape
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() { // loads the freelist
			return err
		}
		s.key, s.all = tx.Bucket([]byte("key")).Stats(), tx.Cursor().Bucket().Stats()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.free = db.Stats().FreePageN
	return s
}
