package replay

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/protobuf/proto"
)

// TestReplayExact replays a real member's events onto its snapshot, up to each recorded revision,
// restores the result with etcdutl, and checks that the restored member serves exactly what the
// original served at that revision.
func TestReplayExact(t *testing.T) {
	h := recordHistory(t)
	const ttl = 1234
	for i, p := range h.points {
		t.Run(fmt.Sprintf("rev-%d", p.rev), func(t *testing.T) {
			db := replayTo(t, h, p.rev, Options{LeaseTTL: ttl})
			checkKeyIter(t, db, p.kvs)
			if err := Compare(testCtx(t), db, p.snap); err != nil {
				t.Errorf("Compare with the original's snapshot at %d: %v", p.rev, err)
			}
			c := restoreAndStart(t, db).Client(t)
			kvs, rev := keyspace(t, c, 0)
			if rev != p.rev {
				t.Fatalf("the restored member is at revision %d, want %d", rev, p.rev)
			}
			checkKVs(t, p.kvs, kvs)
			if i == len(h.points)-1 {
				checkLeases(t, c, h, ttl)
			}
			resp, err := c.Put(testCtx(t), "/after-restore", "v")
			if err != nil || resp.Header.Revision != p.rev+1 {
				t.Fatalf("put on the restored member: revision %v, %v; want %d", resp, err, p.rev+1)
			}
		})
	}
}

// replayTo replays h's events onto a copy of its base up to rev and returns the closed file.
func replayTo(t *testing.T, h *history, rev int64, o Options) string {
	t.Helper()
	db := copyFile(t, h.base, t.TempDir(), "replayed.db")
	d := openT(t, db, o)
	if got := d.Rev(); got != h.baseRev {
		t.Fatalf("the base opens at revision %d, its last write was %d", got, h.baseRev)
	}
	for r := h.baseRev + 1; r <= rev; r++ {
		if len(h.events[r]) == 0 {
			t.Fatalf("no events were recorded at revision %d", r)
		}
		if applied, err := d.Apply(r, h.events[r]); err != nil || !applied {
			t.Fatalf("Apply(%d) = %v, %v; want true, nil", r, applied, err)
		}
	}
	if got := d.Rev(); got != rev {
		t.Fatalf("Rev() = %d after the replay, want %d", got, rev)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return db
}

// checkKeyIter checks that a keyIter on db walks every key the original served, as Compare does.
func checkKeyIter(t *testing.T, db string, want []*mvccpb.KeyValue) {
	t.Helper()
	d := openT(t, copyFile(t, db, t.TempDir(), "walked.db"), Options{})
	it := newKeyIter(d.kv, d.Rev())
	for i := 0; ; i++ {
		kv, err := it.next(testCtx(t))
		switch {
		case err != nil:
			t.Fatalf("walk the keys: %v", err)
		case kv == nil && i == len(want):
			return
		case kv == nil:
			t.Fatalf("the walk ends after %d keys, want %d", i, len(want))
		case i == len(want):
			t.Fatalf("the walk goes on with %q after %d keys", kv.Key, i)
		}
		w := want[i]
		if !bytes.Equal(kv.Key, w.Key) || kv.CreateRevision != w.CreateRevision || kv.ModRevision != w.ModRevision ||
			kv.Version != w.Version {
			t.Fatalf("key %d of the walk: %s, want %s", i, describe(kv), describe(w))
		}
	}
}

// checkKVs compares every key-value, with all its fields, in order.
func checkKVs(t *testing.T, want, got []*mvccpb.KeyValue) {
	t.Helper()
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			t.Fatalf("the restored member lacks %q (%d keys, want %d)", want[i].Key, len(got), len(want))
		case i >= len(want):
			t.Fatalf("the restored member has %q too (%d keys, want %d)", got[i].Key, len(got), len(want))
		case !proto.Equal(want[i], got[i]):
			t.Fatalf("key %d: got %s, want %s", i, describe(got[i]), describe(want[i]))
		}
	}
}

// checkLeases pins what a replay does with leases: one granted after the base gets the replay's TTL,
// a base lease keeps its own, and revoked leases stay (watch events do not say a lease was revoked).
func checkLeases(t *testing.T, c *clientv3.Client, h *history, ttl int64) {
	t.Helper()
	resp, err := c.Leases(testCtx(t))
	if err != nil {
		t.Fatalf("list leases: %v", err)
	}
	var ids []clientv3.LeaseID
	for _, l := range resp.Leases {
		ids = append(ids, l.ID)
	}
	for name, want := range map[string]int64{"base-kept": 600, "after-kept": ttl, "after": ttl, "base-revoked": 600} {
		id := h.leases[name]
		if !slices.Contains(ids, id) {
			t.Errorf("lease %s (%x) is not in the restored member's %x", name, id, ids)
			continue
		}
		l, err := c.TimeToLive(testCtx(t), id, clientv3.WithAttachedKeys())
		if err != nil {
			t.Fatalf("lease %s: %v", name, err)
		}
		if l.GrantedTTL != want {
			t.Errorf("lease %s was granted %d s, want %d", name, l.GrantedTTL, want)
		}
		t.Logf("lease %s: granted %d s, %d s left, keys %q", name, l.GrantedTTL, l.TTL, l.Keys)
	}
}

// describe prints a key-value with its value's size instead of its bytes.
func describe(kv *mvccpb.KeyValue) string {
	return fmt.Sprintf("%q create %d mod %d version %d lease %x value %d bytes",
		kv.Key, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease, len(kv.Value))
}
