package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/k8sdata"
)

// valueSeed makes the values of every run the same, so that rpo-check can regenerate them.
const valueSeed = 42

// poolSize is how many distinct values a workload cycles through: 8 MiB of 2 KiB values, more
// than the journal's zstd window (1 MiB), so that compression sees no repeats it would not see in
// a real cluster.
const poolSize = 4096

// values are Kubernetes-like keys and JSON values (k8sdata: they compress 2-5x with zstd).
func values(valueSize int) []k8sdata.KV { return k8sdata.Generate(poolSize, valueSize, valueSeed) }

// workload writes transactions of perTxn puts: put i is key(i) = value(i).
type workload struct {
	clients []*clientv3.Client
	perTxn  int
	key     func(i int64) string
	value   func(i int64) []byte
	timeout time.Duration // of each transaction
}

// tally is what a workload got acknowledged.
type tally struct {
	txns, puts, errs atomic.Int64
	lastRev          atomic.Int64
	firstErr         atomic.Value
}

// ackFunc hears of every transaction acknowledged: its first put, its revision and when.
type ackFunc func(first, rev int64, at time.Time)

// dial opens n clients to endpoint (separate connections, as etcd's own benchmark tool does).
func dial(endpoint string, n int) ([]*clientv3.Client, error) {
	var cs []*clientv3.Client
	for range n {
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second,
			Logger: zap.NewNop()})
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", endpoint, err)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func closeAll(cs []*clientv3.Client) {
	for _, c := range cs {
		c.Close()
	}
}

// run writes with goroutines concurrent writers until stop is closed. With rate > 0, transaction
// n is sent no earlier than n/rate seconds after the start; otherwise as fast as etcd answers.
func (w *workload) run(goroutines int, rate float64, stop <-chan struct{}, ack ackFunc) *tally {
	t := &tally{}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := w.clients[g%len(w.clients)]
			for {
				n := next.Add(1) - 1
				if rate > 0 {
					if !sleepUntil(start.Add(time.Duration(float64(n)/rate*float64(time.Second))), stop) {
						return
					}
				}
				select {
				case <-stop:
					return
				default:
				}
				w.txn(c, n, t, ack)
			}
		}()
	}
	wg.Wait()
	return t
}

// txn sends transaction n and counts its outcome.
func (w *workload) txn(c *clientv3.Client, n int64, t *tally, ack ackFunc) {
	first := n * int64(w.perTxn)
	ops := make([]clientv3.Op, w.perTxn)
	for k := range ops {
		ops[k] = clientv3.OpPut(w.key(first+int64(k)), string(w.value(first+int64(k))))
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	resp, err := c.Txn(ctx).Then(ops...).Commit()
	cancel()
	if err != nil {
		if t.errs.Add(1) == 1 {
			t.firstErr.Store(err)
		}
		return
	}
	at := time.Now()
	t.txns.Add(1)
	t.puts.Add(int64(w.perTxn))
	for rev := resp.Header.Revision; ; {
		cur := t.lastRev.Load()
		if rev <= cur || t.lastRev.CompareAndSwap(cur, rev) {
			break
		}
	}
	if ack != nil {
		ack(first, resp.Header.Revision, at)
	}
}

// sleepUntil sleeps until at; false when stop was closed first.
func sleepUntil(at time.Time, stop <-chan struct{}) bool {
	d := time.Until(at)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-stop:
		return false
	}
}
