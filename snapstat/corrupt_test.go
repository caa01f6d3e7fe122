package snapstat_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

var small struct {
	once sync.Once
	data []byte
}

// smallSnapshot is the stream of a small real snapshot: Kubernetes-like objects over a few leaf pages
// and a branch page, a value on overflow pages, a tombstone and a lease. It is taken once per process.
func smallSnapshot(t testing.TB) []byte {
	small.once.Do(func() {
		m := etcdtest.Start(t, etcdtest.Options{})
		c := m.Client(t)
		etcdtest.Fill(t, c, 60, 300, 11)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		l, err := c.Grant(ctx, 600)
		if err != nil {
			t.Fatalf("grant: %v", err)
		}
		for _, op := range []clientv3.Op{
			clientv3.OpPut("/large", strings.Repeat("L", 10<<10)),
			clientv3.OpPut("/leased", "x", clientv3.WithLease(l.ID)),
			clientv3.OpDelete("/leased"),
		} {
			if _, err := c.Do(ctx, op); err != nil {
				t.Fatalf("%v", err)
			}
		}
		small.data = snapshotStream(t, c)
		m.Stop()
	})
	if small.data == nil {
		t.Fatal("no small snapshot: its setup failed in an earlier test")
	}
	return small.data
}

// corruption is one damaged copy of the small snapshot.
type corruption struct {
	name  string
	data  []byte
	whole bool // only the trailer was damaged: both must accept the database alike
}

// truncations cuts the stream at offsets around the meta pages, the first pages, and its end.
func truncations(data []byte) []corruption {
	n, ps := len(data), pageSize
	var cs []corruption
	for _, cut := range []int{0, 1, 16, 79, 80, ps, ps + 80, 2 * ps, 2*ps + 100, n / 2, n - 32 - ps, n - 33,
		n - 32, n - 1} {
		cs = append(cs, corruption{fmt.Sprintf("cut at %d of %d", cut, n), data[:cut], cut >= n-32})
	}
	return cs
}

// flips changes one byte: n at random offsets, and n more in the first 64 bytes of a page (a page
// header, a meta page, the first elements of a leaf or branch page), where damage matters most.
func flips(data []byte, n int, seed uint64) []corruption {
	rng := rand.New(rand.NewPCG(seed, 0xf11b))
	pages := (len(data) - 32) / pageSize
	var cs []corruption
	for i := range 2 * n {
		off := rng.IntN(len(data))
		if i >= n {
			off = rng.IntN(pages)*pageSize + rng.IntN(64)
		}
		x := byte(1 + rng.IntN(255))
		d := append([]byte(nil), data...)
		d[off] ^= x
		name := fmt.Sprintf("byte %d (page %d + %d) ^= %#02x", off, off/pageSize, off%pageSize, x)
		cs = append(cs, corruption{name, d, off >= len(data)-32})
	}
	return cs
}

// Damaged snapshots: the scanner must never panic, must refuse whatever the library refuses, and must
// report what the library reports when it accepts. It may refuse more (logged, see -v).
func TestCorruptSnapshots(t *testing.T) {
	data := smallSnapshot(t)
	for i, c := range append(truncations(data), flips(data, 250, 1)...) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			switch v := judge(t, c.data, uint64(i+1)); {
			case v.bug() || c.whole && !v.same():
				t.Errorf("kept in %s: %v", keep(t, c.data), v)
			case v.scanErr != nil && v.libErr == nil:
				t.Logf("only the scanner refuses it: %v", v.scanErr)
			case v.libErr != nil && !v.libRefused():
				t.Logf("the library gives no verdict: %v", v)
			}
		})
	}
}

// keep saves data where it outlives the test, to reproduce a failure: the small snapshot differs from
// one run to the next.
func keep(t *testing.T, data []byte) string {
	f, err := os.CreateTemp("", "snapstat-*.db")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
