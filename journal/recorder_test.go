package journal

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

type countObserver struct{ committed, throttled int }

func (c *countObserver) Committed(*Manifest) { c.committed++ }
func (c *countObserver) Throttled()          { c.throttled++ }

// TestRecorderRecordsEveryRevision writes puts, deletes and txns while recording to two
// destinations, then reads every segment back: each revision once, in order, with its events.
func TestRecorderRecordsEveryRevision(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	ctx := context.Background()
	rec, id := keys(t)
	j1, j2 := fileJournal(t), fileJournal(t)
	start, err := cli.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	obs := &countObserver{}
	r, err := NewRecorder(cli, []*Journal{j1, j2}, Options{Cluster: "test", Encoding: zstdEncoding(rec),
		MaxAge: 100 * time.Millisecond, MaxBytes: 4 << 10, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx, Start{Next: start.Header.Revision + 1, Base: "b"}) }()
	var last int64
	for i := range 300 {
		var resp *clientv3.PutResponse
		if resp, err = cli.Put(ctx, fmt.Sprintf("k%03d", i%50), fmt.Sprintf("v%d", i)); err != nil {
			t.Fatal(err)
		}
		last = resp.Header.Revision
		if i%10 == 0 {
			txn, err := cli.Txn(ctx).Then(clientv3.OpPut("t1", "a"), clientv3.OpDelete(fmt.Sprintf("k%03d", i%50))).Commit()
			if err != nil {
				t.Fatal(err)
			}
			last = txn.Header.Revision
		}
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, j := range []*Journal{j1, j2} {
		revs := readAll(t, j, id)
		if len(revs) == 0 || revs[0].Rev != start.Header.Revision+1 || revs[len(revs)-1].Rev != last {
			t.Fatalf("revisions %d..: want %d-%d", len(revs), start.Header.Revision+1, last)
		}
		for i, rv := range revs {
			if rv.Rev != start.Header.Revision+1+int64(i) {
				t.Fatalf("revision %d at %d", rv.Rev, i)
			}
			if rv.Events[0].Kv.Key == nil {
				t.Fatalf("revision %d: no key", rv.Rev)
			}
		}
	}
	if obs.committed < 2 {
		t.Fatalf("committed %d segments; want several (MaxBytes 4 KiB)", obs.committed)
	}
}
