package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// timedObserver is a syncObserver that also notes when each segment was committed.
type timedObserver struct {
	syncObserver
	mu2 sync.Mutex
	at  []time.Time
}

func (o *timedObserver) Committed(m *Manifest) {
	o.mu2.Lock()
	o.at = append(o.at, time.Now())
	o.mu2.Unlock()
	o.syncObserver.Committed(m)
}

// TestRecorderBackpressure records fast writes to a destination slower than etcd: the recorder
// stops watching instead of buffering (it never received a segment more than two ahead of the
// one being committed), says so to the observer, reports its lag, and once storage caught up
// the journal holds every revision once, in order.
func TestRecorderBackpressure(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	j, _ := dirJournal(t, "test")
	slow := &faultStore{Store: j.Store, Delay: 40 * time.Millisecond} // 160 ms a segment: data and manifest
	obs := &timedObserver{}
	recipients, id := keys(t)
	r, err := NewRecorder(cli, []*Journal{New(slow, "test")}, Options{Cluster: "test",
		Encoding: zstdEncoding(recipients), MaxAge: 20 * time.Millisecond, MaxBytes: 48 << 10, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	if lag := r.Lag(); lag != 0 {
		t.Fatalf("lag %s before recording", lag)
	}
	first := currentRev(t, cli) + 1
	run := startRun(r, Start{Next: first, Base: "b"})

	var maxLag atomic.Int64
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if lag := int64(r.Lag()); lag > maxLag.Load() {
				maxLag.Store(lag)
			}
			select {
			case <-sampling:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	value := strings.Repeat("v", 2<<10)
	var wg sync.WaitGroup
	var lastRev atomic.Int64
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := putKeys(t, cli, fmt.Sprintf("w%d/", w), 300, value)
			for {
				if cur := lastRev.Load(); last <= cur || lastRev.CompareAndSwap(cur, last) {
					return
				}
			}
		}()
	}
	wg.Wait()
	last := lastRev.Load()
	lagAtEnd := r.Lag()
	obs.waitCommitted(t, last, 60*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for r.Lag() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("lag %s after every revision was committed", r.Lag())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(sampling)
	<-sampled
	if err := run.stop(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	if obs.throttled.Load() == 0 {
		t.Fatal("the observer never heard Throttled, with storage slower than etcd")
	}
	if lagAtEnd <= 0 || time.Duration(maxLag.Load()) < slow.Delay {
		t.Fatalf("lag %s when the writes ended, at most %s; want it above the store's delay %s", lagAtEnd,
			time.Duration(maxLag.Load()), slow.Delay)
	}
	checkSequence(t, readAll(t, j, id), first, last)
	ms := obs.manifests()
	obs.mu2.Lock()
	at := obs.at
	obs.mu2.Unlock()
	for k := 0; k+3 < len(ms); k++ {
		if !ms[k+3].FirstTime.After(at[k]) {
			t.Fatalf("segment %s was receiving at %s, before segment %s was committed at %s: the recorder "+
				"read ahead of storage by more than its queue", ms[k+3].Name, stamp(ms[k+3].FirstTime), ms[k].Name,
				stamp(at[k]))
		}
	}
	t.Logf("%d revisions in %d segments, throttled %d times, lag at most %s", last-first+1, len(ms),
		obs.throttled.Load(), time.Duration(maxLag.Load()))
}

// TestRecorderStopWhileThrottled stops the recorder at the moment it is throttled, with a sealed
// segment waiting for the uploader: Run returns nil, which promises the last segments were
// flushed, so the journal must hold every revision the recorder received (up to Next()-1).
func TestRecorderStopWhileThrottled(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	j, _ := dirJournal(t, "test")
	slow := &faultStore{Store: j.Store, Delay: 150 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	obs := &syncObserver{onThrottled: cancel}
	r, err := NewRecorder(cli, []*Journal{New(slow, "test")}, Options{Cluster: "test", Encoding: plainEncoding,
		MaxAge: 10 * time.Millisecond, MaxBytes: 1 << 10, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	first := currentRev(t, cli) + 1
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, Start{Next: first, Base: "b"}) }()
	stopWriting := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			default:
			}
			if _, err := cli.Put(context.Background(), fmt.Sprintf("k%d", i%10), strings.Repeat("x", 300)); err != nil {
				return
			}
		}
	}()
	defer close(stopWriting)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not stop")
	}
	if obs.throttled.Load() == 0 {
		t.Fatal("never throttled")
	}
	revs := readAll(t, j, nil)
	if len(revs) == 0 {
		t.Fatal("nothing committed")
	}
	checkSequence(t, revs, first, revs[len(revs)-1].Rev)
	if got := revs[len(revs)-1].Rev; got != r.Next()-1 {
		t.Fatalf("Run returned nil, but the journal ends at revision %d while the recorder received up to %d: "+
			"the segment sealed while throttled (%d-%d) was dropped at stop instead of flushed", got, r.Next()-1,
			got+1, r.Next()-1)
	}
}

// TestRecorderUploadFailure breaks one of two destinations after two segments: Run returns an
// *UploadError naming the first segment it could not commit, after Retries+1 attempts, and both
// destinations keep every segment committed before.
func TestRecorderUploadFailure(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	healthy, _ := dirJournal(t, "test")
	j2, _ := dirJournal(t, "test")
	var manifests atomic.Int64
	var broken atomic.Bool
	failing := &faultStore{Store: j2.Store, Fail: func(key string) error {
		if broken.Load() {
			return errors.New("disk on fire")
		}
		if strings.HasSuffix(key, manifestSuffix) && manifests.Add(1) == 2 {
			broken.Store(true) // this commit goes through; every later one fails
		}
		return nil
	}}
	obs := &syncObserver{}
	recipients, id := keys(t)
	r, err := NewRecorder(cli, []*Journal{healthy, New(failing, "test")}, Options{Cluster: "test",
		Encoding: zstdEncoding(recipients), MaxAge: 30 * time.Millisecond, MaxBytes: 1 << 10, Retries: 1,
		Backoff: 10 * time.Millisecond, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	first := currentRev(t, cli) + 1
	run := startRun(r, Start{Next: first, Base: "b"})
	stopWriting := make(chan struct{})
	defer close(stopWriting)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			case <-time.After(time.Millisecond):
			}
			if _, err := cli.Put(context.Background(), fmt.Sprintf("k%d", i%10), strings.Repeat("x", 100)); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	err = run.wait(t, 30*time.Second)
	took := time.Since(start)
	var ue *UploadError
	if !errors.As(err, &ue) {
		t.Fatalf("Run returned %v, want an *UploadError", err)
	}

	l2, lerr := j2.List(context.Background())
	if lerr != nil {
		t.Fatal(lerr)
	}
	if len(l2.Segments) != 2 {
		t.Fatalf("the failing destination holds %d segments, want the 2 committed before it broke", len(l2.Segments))
	}
	failed := l2.Segments[1].Last + 1
	lh, lerr := healthy.List(context.Background())
	if lerr != nil {
		t.Fatal(lerr)
	}
	var want string
	for _, s := range lh.Segments {
		if s.First == failed {
			want = s.Name
		}
	}
	if ue.Segment != want || want == "" || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("error %q for segment %q; want segment %q (the one after %s) and the cause", err, ue.Segment, want,
			l2.Segments[1].Name)
	}
	if n := failing.dataAttempts(healthy.Layout, want); n != 2 {
		t.Fatalf("data of %s tried %d times at the failing destination, want 2 (Retries 1)", want, n)
	}
	if len(obs.manifests()) != 2 {
		t.Fatalf("the observer heard %d segments committed everywhere, want 2", len(obs.manifests()))
	}
	revs2 := readAll(t, j2, id)
	checkSequence(t, revs2, first, l2.Segments[1].Last)
	revsH := readAll(t, healthy, id)
	checkSequence(t, revsH, first, revsH[len(revsH)-1].Rev)
	for i, s := range l2.Segments {
		if lh.Segments[i].Name != s.Name {
			t.Fatalf("segment %d is %s at the healthy destination and %s at the failing one", i, lh.Segments[i].Name,
				s.Name)
		}
	}
	if took > 10*time.Second {
		t.Fatalf("Run took %s to give up", took)
	}
	if n := strings.Count(err.Error(), "journal segment "+want); n != 1 {
		t.Errorf("the error reports the failure %d times: %q", n, err)
	}
}
