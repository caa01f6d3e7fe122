package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// longJournalTest skips a long journal test under -short, except under CI=true, which runs everything.
func longJournalTest(t *testing.T, why string) {
	t.Helper()
	if testing.Short() && !testgate.CI() {
		t.Skipf("long: %s", why)
	}
}

// openJournalAt opens the journal of cluster at a destination URL, as the daemon writes it.
func openJournalAt(t *testing.T, url, cluster string) *journal.Journal {
	t.Helper()
	s, err := storage.Open(context.Background(), url, storage.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return journal.New(s, cluster)
}

// segmentsOf lists the committed segments of j, by first revision.
func segmentsOf(t *testing.T, j *journal.Journal) []journal.Segment {
	t.Helper()
	l, err := j.List(context.Background())
	if err != nil {
		t.Fatalf("list the journal: %v", err)
	}
	return l.Segments
}

// manifestsOf reads the manifest of every segment in segs.
func manifestsOf(t *testing.T, j *journal.Journal, segs []journal.Segment) []*journal.Manifest {
	t.Helper()
	var ms []*journal.Manifest
	for _, s := range segs {
		m, err := j.Manifest(context.Background(), s.Name)
		if err != nil {
			t.Fatalf("manifest of %s: %v", s.Name, err)
		}
		ms = append(ms, m)
	}
	return ms
}

// runsString describes runs for a failure message.
func runsString(runs []journal.Run) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, " [%d-%d, %d segments]", r.First, r.Last, len(r.Segments))
	}
	return b.String()
}

// daemonLog is a daemon's log, for failure messages.
func daemonLog(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// waitFor polls cond every 100ms until it holds or within passes; it reports whether it held.
func waitFor(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ackedPut is one put that etcd acknowledged.
type ackedPut struct {
	key, value string
	rev        int64
	at         time.Time // when the put returned
}

// pacedWriter puts unique keys from several goroutines at a steady rate and records every put
// etcd acknowledged.
type pacedWriter struct {
	stop  context.CancelFunc
	wg    sync.WaitGroup
	mu    sync.Mutex
	acks  []ackedPut
	errs  []error
	start time.Time
}

// startPacedWriter puts keys <prefix>/wNN/NNNNNNNN from workers goroutines, rate puts/s in all,
// until wait is called: a pacer hands out one token per put, so that workers slowed by a slow put
// catch up. A put is given 10s whatever happens to the writer, so that a put in flight when the
// writer stops is acknowledged or failed, never abandoned.
func startPacedWriter(c *clientv3.Client, prefix string, workers, rate int) *pacedWriter {
	ctx, cancel := context.WithCancel(context.Background())
	w := &pacedWriter{stop: cancel, start: time.Now()}
	tokens := make(chan struct{}, rate/10)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer close(tokens)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		sent := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for due := int(time.Since(w.start).Seconds() * float64(rate)); sent < due; sent++ {
				select {
				case tokens <- struct{}{}:
				default: // the workers are behind by a tenth of a second: drop it
				}
			}
		}
	}()
	pad := strings.Repeat("v", 48)
	for g := range workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for i := 0; ; i++ {
				if _, ok := <-tokens; !ok {
					return
				}
				w.put(c, fmt.Sprintf("%s/w%02d/%08d", prefix, g, i), fmt.Sprintf("%02d-%08d-%s", g, i, pad))
			}
		}()
	}
	return w
}

func (w *pacedWriter) put(c *clientv3.Client, key, val string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Put(ctx, key, val)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("put %s: %w", key, err))
		return
	}
	w.acks = append(w.acks, ackedPut{key: key, value: val, rev: resp.Header.Revision, at: time.Now()})
}

// newest is the acknowledged put with the highest revision so far (zero before the first).
func (w *pacedWriter) newest() ackedPut {
	w.mu.Lock()
	defer w.mu.Unlock()
	var n ackedPut
	for _, a := range w.acks {
		if a.rev > n.rev {
			n = a
		}
	}
	return n
}

// wait stops the writer and returns the acknowledged puts and the failed ones.
func (w *pacedWriter) wait() ([]ackedPut, []error) {
	w.stop()
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acks, w.errs
}

// newestJournaled is the last revision of the newest committed segment of j; 0 when none.
func newestJournaled(t *testing.T, j *journal.Journal) int64 {
	t.Helper()
	var last int64
	for _, s := range segmentsOf(t, j) {
		last = max(last, s.Last)
	}
	return last
}
