package maintain

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// testRule fits the small databases of the tests: 30% and 2 MiB free.
var testRule = Rule{FragmentedFraction: 0.3, FragmentedBytes: 2 * mib, QuotaUsage: 0.8}

func testOptions(t *testing.T) Options {
	return Options{Rule: testRule, PollInterval: 20 * time.Millisecond, RecoverTimeout: 30 * time.Second,
		Logger: zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))}
}

func newClient(t *testing.T, pki *etcdtest.PKI, endpoints ...string) *cluster.Client {
	t.Helper()
	o := cluster.Options{Endpoints: endpoints, DialTimeout: 3 * time.Second}
	if pki != nil {
		o.CACert, o.Cert, o.Key = pki.CACert, pki.ClientCert, pki.ClientKey
	}
	c, err := cluster.New(o, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// fragment writes n keys of size bytes twice and deletes half of them; compacted, about three
// quarters of each member's db is then free. It returns the last revision, compacted to if compact.
func fragment(t *testing.T, cli *clientv3.Client, n, size int, compact bool) int64 {
	t.Helper()
	ctx := testCtx(t)
	value := strings.Repeat("v", size)
	var rev int64
	for round := range 3 {
		for i := 0; i < n; i += 64 {
			var ops []clientv3.Op
			for j := i; j < min(i+64, n); j++ {
				key := fmt.Sprintf("/registry/configmaps/ns/cm-%05d", j)
				switch {
				case round < 2:
					ops = append(ops, clientv3.OpPut(key, value))
				case j%2 == 0:
					ops = append(ops, clientv3.OpDelete(key))
				}
			}
			resp, err := cli.Txn(ctx).Then(ops...).Commit()
			if err != nil {
				t.Fatalf("fragment: %v", err)
			}
			rev = resp.Header.Revision
		}
	}
	if !compact {
		return rev
	}
	if _, err := cli.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		t.Fatalf("fragment: compact: %v", err)
	}
	return rev
}

// statuses returns each member's status by endpoint, read directly.
func statuses(t *testing.T, cli *clientv3.Client, endpoints []string) map[string]*clientv3.StatusResponse {
	t.Helper()
	out := map[string]*clientv3.StatusResponse{}
	for _, ep := range endpoints {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := cli.Status(ctx, ep)
		cancel()
		if err != nil {
			t.Fatalf("status of %s: %v", ep, err)
		}
		out[ep] = st
	}
	return out
}

func leaderOf(sts map[string]*clientv3.StatusResponse) uint64 {
	for _, st := range sts {
		return st.Leader
	}
	return 0
}

// writer puts keys from several goroutines until stopped and records every failed write.
type writer struct {
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	ok     int
	failed []failedWrite
}

type failedWrite struct {
	start time.Time
	took  time.Duration
	err   error
}

func (f failedWrite) String() string {
	return fmt.Sprintf("%s after %s: %v", f.start.Format("15:04:05.000"), f.took, f.err)
}

func startWriter(cli *clientv3.Client, workers int) *writer {
	w := &writer{stop: make(chan struct{})}
	for g := range workers {
		w.wg.Add(1)
		go w.run(cli, g)
	}
	return w
}

func (w *writer) run(cli *clientv3.Client, g int) {
	defer w.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		case <-time.After(2 * time.Millisecond):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		_, err := cli.Put(ctx, fmt.Sprintf("/writer/%d/%03d", g, i%100), fmt.Sprint(i))
		cancel()
		w.mu.Lock()
		if err != nil {
			w.failed = append(w.failed, failedWrite{start, time.Since(start), err})
		} else {
			w.ok++
		}
		w.mu.Unlock()
	}
}

func (w *writer) halt() (int, []failedWrite) {
	close(w.stop)
	w.wg.Wait()
	return w.ok, w.failed
}
