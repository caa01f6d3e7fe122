package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// mixedWorkload writes puts, rewrites, deletes, txns and leased keys, and returns the revision
// after each of its steps.
func mixedWorkload(t *testing.T, c *clientv3.Client, round int) []int64 {
	t.Helper()
	ctx := context.Background()
	var revs []int64
	must := func(rev int64, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, rev)
	}
	for i := range 20 {
		r, err := c.Put(ctx, fmt.Sprintf("/registry/pods/ns/p%02d", i), fmt.Sprintf("v%d-%d", round, i))
		must(r.Header.Revision, err)
	}
	r, err := c.Put(ctx, "/registry/pods/ns/p03", "rewritten")
	must(r.Header.Revision, err)
	d, err := c.Delete(ctx, "/registry/pods/ns/p05")
	must(d.Header.Revision, err)
	txn, err := c.Txn(ctx).Then(clientv3.OpPut("/registry/cm/a", fmt.Sprint(round)),
		clientv3.OpDelete("/registry/pods/ns/p07"), clientv3.OpPut("/registry/cm/b", "x")).Commit()
	must(txn.Header.Revision, err)
	lease, err := c.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.Put(ctx, fmt.Sprintf("/registry/events/e%d", round), "ev", clientv3.WithLease(lease.ID))
	must(l.Header.Revision, err)
	short, err := c.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, fmt.Sprintf("/registry/leases/l%d", round), "x", clientv3.WithLease(short.ID)); err != nil {
		t.Fatal(err)
	}
	rv, err := c.Revoke(ctx, short.ID) // deletes the key in one revision
	must(rv.Header.Revision, err)
	r, err = c.Put(ctx, "/registry/pods/ns/p05", "recreated")
	must(r.Header.Revision, err)
	d, err = c.Delete(ctx, "/registry/cm/", clientv3.WithPrefix())
	must(d.Header.Revision, err)
	return revs
}

// TestJournalRestoresExactRevisions runs the daemon with the journal on under a mixed workload,
// records the whole keyspace at several revisions, then restores each with --to-revision and
// compares every key, value, revision, version and lease with what etcd answered.
func TestJournalRestoresExactRevisions(t *testing.T) {
	e := newEnv(t, 50)
	e.withJournal("200ms")
	c := e.etcd.Client(t)
	base := e.runOnce()
	d := e.startDaemonProc()
	var revs []int64
	for round := range 3 {
		revs = append(revs, mixedWorkload(t, c, round)...)
	}
	last := revs[len(revs)-1]
	e.waitJournaled(last, 30*time.Second, d)
	picks := []int64{base.Snapshot.Revision + 1, revs[3], revs[len(revs)/2], revs[len(revs)-2], last}
	want := map[int64][]*mvccpb.KeyValue{}
	for _, rev := range picks {
		want[rev] = keyspaceAt(t, c, rev)
	}
	d.stop(t)
	for _, rev := range picks {
		m := e.restoreServe("--to-revision", fmt.Sprint(rev))
		got := keyspaceAt(t, m.Client(t), 0)
		assertKeyspace(t, rev, want[rev], got)
		resp, err := m.Client(t).Get(context.Background(), "x")
		if err != nil || resp.Header.Revision != rev {
			t.Fatalf("restored member serves revision %d, want %d (%v)", resp.Header.Revision, rev, err)
		}
		m.Stop()
	}
	m := e.restoreServe("--to-revision", "latest")
	assertKeyspace(t, last, keyspaceAt(t, c, last), keyspaceAt(t, m.Client(t), 0))
}
