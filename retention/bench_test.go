package retention

import (
	"math/rand/v2"
	"testing"
	"time"
)

func BenchmarkApply(b *testing.B) {
	in := history(every(paris, "2026-01-01 00:00", 15*time.Minute, 10000), 9000)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	p := Policy{KeepLast: 4, KeepHourly: 24, KeepDaily: 30, KeepWeekly: 8,
		KeepMonthly: 12, KeepWithin: 168 * time.Hour, Location: paris}
	now := clock(paris, "2026-04-15 00:00")
	b.ReportAllocs()
	for b.Loop() {
		if ds := Apply(in, p, now); len(ds) != len(in) {
			b.Fatalf("got %d decisions, want %d", len(ds), len(in))
		}
	}
}
