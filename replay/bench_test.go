package replay

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// BenchmarkApply replays Kubernetes-sized puts (2 KiB values over 10,000 keys, created then
// overwritten) onto a real snapshot, with one and with ten events per revision. The time includes
// Close, which commits the rest to the file.
func BenchmarkApply(b *testing.B) {
	base := newSmallBase(b, 1000)
	for _, perRev := range []int{1, 10} {
		b.Run(fmt.Sprintf("events-per-rev-%d", perRev), func(b *testing.B) {
			benchApply(b, base, perRev)
		})
	}
}

func benchApply(b *testing.B, base *smallBase, perRev int) {
	const keys, valueSize = 10000, 2 << 10
	value := make([]byte, valueSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range value {
		value[i] = byte('a' + rng.IntN(26))
	}
	names := make([][]byte, keys)
	for i := range names {
		names[i] = fmt.Appendf(nil, "/registry/pods/ns-%d/pod-%05d", i%50, i)
	}
	created, versions := make([]int64, keys), make([]int64, keys)
	events := make([]*mvccpb.Event, perRev)
	for i := range events {
		events[i] = &mvccpb.Event{Type: mvccpb.Event_PUT, Kv: &mvccpb.KeyValue{Value: value}}
	}
	d, _ := base.open(b, Options{})
	b.SetBytes(int64(perRev * valueSize))
	b.ResetTimer()
	n := 0
	for i := range b.N {
		rev := base.rev + int64(i) + 1
		for _, ev := range events {
			k := n % keys
			n++
			if versions[k] == 0 {
				created[k] = rev
			}
			versions[k]++
			ev.Kv.Key, ev.Kv.CreateRevision, ev.Kv.ModRevision, ev.Kv.Version = names[k], created[k], rev, versions[k]
		}
		if _, err := d.Apply(rev, events); err != nil {
			b.Fatalf("Apply(%d): %v", rev, err)
		}
	}
	if err := d.Close(); err != nil {
		b.Fatalf("Close: %v", err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perRev)/b.Elapsed().Seconds(), "events/s")
}
