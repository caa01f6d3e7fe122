package retention

import (
	"math/rand/v2"
	"testing"
	"time"
)

var propertyZones = []*time.Location{
	time.UTC, paris, newYork,
	mustZone("Australia/Lord_Howe"), // 30-minute DST shift
	mustZone("America/Sao_Paulo"),   // DST changes at midnight until 2019
	mustZone("Asia/Kolkata"),
}

// randomHistory mixes bursts, regular runs, gaps of days and weeks,
// repeated IDs and verified backups, in shuffled order.
func randomHistory(r *rand.Rand) []Backup {
	t := time.Date(2015+r.IntN(14), time.Month(1+r.IntN(12)), 1+r.IntN(28),
		r.IntN(24), r.IntN(60), r.IntN(60), 0, time.UTC)
	steps := []time.Duration{0, time.Second, time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}
	n := r.IntN(150)
	var out []Backup
	for i := range n {
		step := steps[r.IntN(len(steps))]
		if step > 0 {
			t = t.Add(step/2 + time.Duration(r.Int64N(int64(step))))
		}
		b := Backup{ID: backupID(t, 100+i), Time: t, Verified: r.IntN(8) == 0}
		out = append(out, b)
		if r.IntN(12) == 0 {
			b.Verified = r.IntN(2) == 0
			out = append(out, b)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// randomPolicy returns a valid policy: every rule is off or small.
func randomPolicy(r *rand.Rand) Policy {
	pick := func(max int) int {
		if r.IntN(2) == 0 {
			return 0
		}
		return 1 + r.IntN(max)
	}
	for {
		p := Policy{KeepLast: pick(10), KeepHourly: pick(30), KeepDaily: pick(20),
			KeepWeekly: pick(8), KeepMonthly: pick(12),
			Location: propertyZones[r.IntN(len(propertyZones))]}
		if r.IntN(3) == 0 {
			p.KeepWithin = time.Duration(1+r.Int64N(int64(10*24*time.Hour)/int64(time.Minute))) * time.Minute
		}
		if !p.Empty() {
			return p
		}
	}
}

// randomNow is near the newest backup, sometimes before it, sometimes zero.
func randomNow(r *rand.Rand, in []Backup) time.Time {
	if len(in) == 0 || r.IntN(10) == 0 {
		return time.Time{}
	}
	newest := in[0].Time
	for _, b := range in {
		if b.Time.After(newest) {
			newest = b.Time
		}
	}
	return newest.Add(time.Duration(r.Int64N(int64(96*time.Hour))) - 24*time.Hour)
}

// grow raises one rule of p, chosen by i, by a random amount.
func grow(r *rand.Rand, p Policy, i int) Policy {
	d := 1 + r.IntN(5)
	switch i {
	case 0:
		p.KeepLast += d
	case 1:
		p.KeepHourly += d
	case 2:
		p.KeepDaily += d
	case 3:
		p.KeepWeekly += d
	case 4:
		p.KeepMonthly += d
	default:
		p.KeepWithin += time.Duration(d) * time.Hour
	}
	return p
}

func TestApplyProperties(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		in := randomHistory(r)
		p := randomPolicy(r)
		now := randomNow(r, in)
		ds := Apply(in, p, now)
		checkInvariants(t, in, p, ds)
		checkReference(t, in, p, now, ds)
		kept := map[string]bool{}
		for _, d := range ds {
			kept[d.Backup.ID] = d.Keep
		}
		for rule := range 6 {
			bigger := grow(r, p, rule)
			for _, d := range Apply(in, bigger, now) {
				if kept[d.Backup.ID] && !d.Keep {
					t.Fatalf("seed %d: %s kept by %v but removed by %v", seed, d.Backup.ID, p, bigger)
				}
			}
		}
	}
}

func TestApplyIgnoresInputOrder(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x0de7))
		in := randomHistory(r)
		p := randomPolicy(r)
		now := randomNow(r, in)
		want := render("order", p, now, Apply(in, p, now))
		r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		if got := render("order", p, now, Apply(in, p, now)); got != want {
			t.Fatalf("seed %d: result depends on input order:\n%s\nwant:\n%s", seed, got, want)
		}
	}
}
