package replay

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// put writes key, on the lease named (granted by grant) when one is given.
func (r *recorder) put(key, value string, leaseName ...string) {
	var opts []clientv3.OpOption
	for _, n := range leaseName {
		opts = append(opts, clientv3.WithLease(r.h.leases[n]))
	}
	resp, err := r.c.Put(testCtx(r.t), key, value, opts...)
	if err != nil {
		r.t.Fatalf("put %q: %v", key, err)
	}
	r.last = resp.Header.Revision
}

// putMany writes n keys under prefix, 100 to a transaction.
func (r *recorder) putMany(prefix string, n int) {
	var ops []clientv3.Op
	for i := range n {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("%s%04d", prefix, i), fmt.Sprintf("value %d of %s", i, prefix)))
		if len(ops) == 100 || i == n-1 {
			r.txn(ops...)
			ops = nil
		}
	}
}

func (r *recorder) del(key string, opts ...clientv3.OpOption) {
	resp, err := r.c.Delete(testCtx(r.t), key, opts...)
	if err != nil || resp.Deleted == 0 {
		r.t.Fatalf("delete %q: %d deleted, %v", key, resp.Deleted, err)
	}
	r.last = resp.Header.Revision
}

// txn runs ops in one transaction: one revision.
func (r *recorder) txn(ops ...clientv3.Op) {
	resp, err := r.c.Txn(testCtx(r.t)).Then(ops...).Commit()
	if err != nil {
		r.t.Fatalf("txn: %v", err)
	}
	r.last = resp.Header.Revision
}

func (r *recorder) grant(name string, ttl int64) {
	resp, err := r.c.Grant(testCtx(r.t), ttl)
	if err != nil {
		r.t.Fatalf("grant %s: %v", name, err)
	}
	r.h.leases[name] = resp.ID
}

// revoke revokes a lease: its keys are deleted in one revision.
func (r *recorder) revoke(name string) {
	resp, err := r.c.Revoke(testCtx(r.t), r.h.leases[name])
	if err != nil {
		r.t.Fatalf("revoke %s: %v", name, err)
	}
	r.last = resp.Header.Revision
}

func (r *recorder) compact(rev int64) {
	if _, err := r.c.Compact(testCtx(r.t), rev, clientv3.WithCompactPhysical()); err != nil {
		r.t.Fatalf("compact at %d: %v", rev, err)
	}
}

// point records the keyspace and a snapshot at the current revision.
func (r *recorder) point() {
	kvs, rev := keyspace(r.t, r.c, 0)
	if rev != r.last {
		r.t.Fatalf("the keyspace was read at revision %d, the last write made %d", rev, r.last)
	}
	snap := filepath.Join(r.dir, fmt.Sprintf("at-%d.db", rev))
	saveSnapshot(r.t, r.c, snap)
	r.h.points = append(r.h.points, point{rev: rev, kvs: kvs, snap: snap})
}

// watch collects every event from revision from on, until ctx ends; the channel closes then.
func (r *recorder) watch(ctx context.Context, from int64) <-chan struct{} {
	wc := r.c.Watch(ctx, "", clientv3.WithPrefix(), clientv3.WithRev(from))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for resp := range wc {
			r.mu.Lock()
			if err := resp.Err(); err != nil && ctx.Err() == nil {
				r.werr = err
			}
			for _, ev := range resp.Events {
				rev := ev.Kv.ModRevision
				r.h.events[rev] = append(r.h.events[rev], ev)
				r.seen = max(r.seen, rev)
			}
			r.mu.Unlock()
		}
	}()
	return done
}

// caughtUp waits until the watcher has delivered the last write.
func (r *recorder) caughtUp() {
	deadline := time.Now().Add(testTimeout)
	for {
		r.mu.Lock()
		seen, err := r.seen, r.werr
		r.mu.Unlock()
		switch {
		case err != nil:
			r.t.Fatalf("watch: %v", err)
		case seen >= r.last:
			return
		case time.Now().After(deadline):
			r.t.Fatalf("the watcher delivered up to revision %d, the last write is %d", seen, r.last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
