package journal

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// benchValueSize is the size of every value the benchmarks write.
const benchValueSize = 2 << 10

// benchValue is a 2 KiB value shaped like a Kubernetes object: JSON around 1 KiB of random
// base64, so that it compresses about as well as real data (roughly half).
func benchValue(i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	blob := make([]byte, 768)
	for k := range blob {
		blob[k] = byte(rng.Uint32())
	}
	v := fmt.Sprintf(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm-%06d","namespace":"bench",`+
		`"labels":{"app":"bench","tier":"backend"}},"data":{"blob":"%s","note":"`, i,
		base64.StdEncoding.EncodeToString(blob))
	return v + strings.Repeat("x", benchValueSize-len(v)-2) + `"}`
}

// benchWrite writes n events with writers concurrent clients, perTxn puts in each revision, and
// returns the last revision.
func benchWrite(b *testing.B, cli *clientv3.Client, writers, perTxn, n int, values []string) int64 {
	b.Helper()
	var wg sync.WaitGroup
	var last atomic.Int64
	var failed atomic.Value
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * perTxn; i < n; i += writers * perTxn {
				var ops []clientv3.Op
				for k := i; k < min(i+perTxn, n); k++ {
					ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/configmaps/bench/cm-%06d", k%5000),
						values[k%len(values)]))
				}
				resp, err := cli.Txn(context.Background()).Then(ops...).Commit()
				if err != nil {
					failed.Store(err)
					return
				}
				for {
					cur := last.Load()
					if resp.Header.Revision <= cur || last.CompareAndSwap(cur, resp.Header.Revision) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	return last.Load()
}

// events is how many events the committed segments hold.
func (o *syncObserver) events() int {
	n := 0
	for _, m := range o.manifests() {
		n += m.Events
	}
	return n
}

// lastReceived is when the recorder received revision rev, from the committed manifests.
func lastReceived(b *testing.B, obs *syncObserver, rev int64) time.Time {
	b.Helper()
	for _, m := range obs.manifests() {
		if m.FirstRevision <= rev && rev <= m.LastRevision {
			return m.LastTime
		}
	}
	b.Fatalf("no committed segment holds revision %d", rev)
	return time.Time{}
}

// BenchmarkRecorder measures how many events a second the recorder captures, with 2 KiB values,
// segments compressed with zstd, encrypted to a real gpg key and written to a file destination.
// An op is one event (one put). Run it with a fixed count, e.g. -benchtime=20000x.
//
//   - live: 8 clients put while the recorder records; events/s is bounded by how fast this etcd
//     accepts writes (write_events/s). lag_max_ms is the largest Lag() seen, against MaxAge (1s).
//   - live-txn8, live-txn32: the same with 8 or 32 puts in each txn (events a revision), for more
//     events a second than this etcd commits revisions.
//   - catchup: the events are in etcd's history before the recorder starts. etcd sends an
//     unsynced watcher at most 1000 revisions each 100 ms (watchBatchMaxRevs, watchResyncPeriod in
//     etcd's mvcc), so this measures etcd's pacing more than the recorder.
func BenchmarkRecorder(b *testing.B) {
	m := etcdtest.Start(b, etcdtest.Options{})
	cli := m.Client(b)
	recipients, _ := keysTB(b)
	values := make([]string, 4096)
	for i := range values {
		values[i] = benchValue(i)
	}
	const maxAge = time.Second
	newRecorder := func(b *testing.B, obs *syncObserver) *Recorder {
		j, _ := dirJournal(b, "bench")
		r, err := NewRecorder(cli, []*Journal{j}, Options{Cluster: "bench", Encoding: zstdEncoding(recipients),
			MaxAge: maxAge, MaxBytes: DefaultMaxBytes, Observer: obs})
		if err != nil {
			b.Fatal(err)
		}
		return r
	}

	live := func(b *testing.B, perTxn int) {
		obs := &syncObserver{}
		r := newRecorder(b, obs)
		first := currentRev(b, cli) + 1
		run := startRun(r, Start{Next: first, Base: "b"})
		var maxLag atomic.Int64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if l := int64(r.Lag()); l > maxLag.Load() {
						maxLag.Store(l)
					}
				}
			}
		}()
		b.ResetTimer()
		start := time.Now()
		last := benchWrite(b, cli, 8, perTxn, b.N, values)
		wrote := time.Since(start)
		obs.waitCommitted(b, last, 5*time.Minute)
		b.StopTimer()
		close(stop)
		<-sampled
		if err := run.stop(b, time.Minute); err != nil {
			b.Fatal(err)
		}
		captured := lastReceived(b, obs, last).Sub(start)
		b.ReportMetric(float64(obs.events())/captured.Seconds(), "events/s")
		b.ReportMetric(float64(b.N)/wrote.Seconds(), "write_events/s")
		b.ReportMetric(float64(time.Duration(maxLag.Load()).Milliseconds()), "lag_max_ms")
		b.ReportMetric(float64(obs.throttled.Load()), "throttled")
	}
	b.Run("live", func(b *testing.B) { live(b, 1) })
	b.Run("live-txn8", func(b *testing.B) { live(b, 8) })
	b.Run("live-txn32", func(b *testing.B) { live(b, 32) })

	b.Run("catchup", func(b *testing.B) {
		obs := &syncObserver{}
		r := newRecorder(b, obs)
		first := currentRev(b, cli) + 1
		last := benchWrite(b, cli, 8, 1, b.N, values)
		b.ResetTimer()
		start := time.Now()
		run := startRun(r, Start{Next: first, Base: "b"})
		obs.waitCommitted(b, last, 5*time.Minute)
		b.StopTimer()
		if err := run.stop(b, time.Minute); err != nil {
			b.Fatal(err)
		}
		captured := lastReceived(b, obs, last).Sub(start)
		b.ReportMetric(float64(obs.events())/captured.Seconds(), "events/s")
		b.ReportMetric(float64(obs.throttled.Load()), "throttled")
	})
}

// BenchmarkSegmentEncode measures encoding revisions of one 2 KiB put into segments: encode,
// compress with zstd as the recorder does, encrypt to a real gpg key, sealing at DefaultMaxBytes.
// MB/s is of plain bytes; stored/plain is the size ratio after compression and encryption.
func BenchmarkSegmentEncode(b *testing.B) {
	recipients, _ := keysTB(b)
	encodings := []struct {
		name string
		enc  Encoding
	}{
		{"zstd+pgp", zstdEncoding(recipients)},
		{"zstd", Encoding{Compression: catalog.CompressionZstd}},
		{"pgp", Encoding{Compression: catalog.CompressionNone, Recipients: recipients}},
	}
	revs := make([]*Revision, 4096) // 8 MiB of distinct values: more than the zstd window
	at := time.Now()
	for i := range revs {
		revs[i] = putRevision(int64(i+1), at, fmt.Sprintf("/registry/configmaps/bench/cm-%06d", i), benchValue(i))
	}
	perRev := int64(len(encodeRevision(nil, revs[0])))
	for _, e := range encodings {
		b.Run(e.name, func(b *testing.B) {
			zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
				zstd.WithWindowSize(1<<20)) // as NewRecorder makes it
			if err != nil {
				b.Fatal(err)
			}
			l := Layout{Cluster: "bench"}
			b.SetBytes(perRev)
			b.ReportAllocs()
			var plain, stored int64
			var s *segment
			seal := func() {
				sl, err := s.seal(l, "", "")
				if err != nil {
					b.Fatal(err)
				}
				plain += sl.m.Plain.Size
				stored += sl.m.Object.Size
				s = nil
			}
			b.ResetTimer()
			for i := range b.N {
				if s == nil {
					if s, err = newSegment("bench", int64(i+1), e.enc, zw, 0); err != nil {
						b.Fatal(err)
					}
				}
				r := revs[i%len(revs)]
				r.Rev = int64(i + 1)
				r.Events[0].Kv.ModRevision = r.Rev
				if err := s.add(r); err != nil {
					b.Fatal(err)
				}
				if s.size() >= DefaultMaxBytes {
					seal()
				}
			}
			if s != nil {
				seal()
			}
			b.StopTimer()
			b.ReportMetric(float64(stored)/float64(plain), "stored/plain")
		})
	}
}
