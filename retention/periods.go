package retention

import (
	"fmt"
	"time"
)

// wall is a backup time as read on the clock of the policy's zone.
type wall struct {
	year, month, day, hour int
	isoYear, isoWeek       int
}

func wallOf(t time.Time, loc *time.Location) wall {
	l := t.In(loc)
	y, w := l.ISOWeek()
	return wall{
		year: l.Year(), month: int(l.Month()), day: l.Day(), hour: l.Hour(),
		isoYear: y, isoWeek: w,
	}
}

// period is one calendar rule: a key that is equal for backups in the same
// period, and a label naming the period in reasons.
type period struct {
	name  string
	n     int
	key   func(w wall) int
	label func(w wall) string
}

func periods(p Policy) []period {
	return []period{
		{"hourly", p.KeepHourly,
			func(w wall) int { return ((w.year*100+w.month)*100+w.day)*100 + w.hour },
			func(w wall) string { return fmt.Sprintf("%04d-%02d-%02dT%02d", w.year, w.month, w.day, w.hour) }},
		{"daily", p.KeepDaily,
			func(w wall) int { return (w.year*100+w.month)*100 + w.day },
			func(w wall) string { return fmt.Sprintf("%04d-%02d-%02d", w.year, w.month, w.day) }},
		{"weekly", p.KeepWeekly,
			func(w wall) int { return w.isoYear*100 + w.isoWeek },
			func(w wall) string { return fmt.Sprintf("%04d-W%02d", w.isoYear, w.isoWeek) }},
		{"monthly", p.KeepMonthly,
			func(w wall) int { return w.year*100 + w.month },
			func(w wall) string { return fmt.Sprintf("%04d-%02d", w.year, w.month) }},
	}
}

// keepPeriods applies the hourly, daily, weekly and monthly rules to ds,
// which is sorted newest first.
func keepPeriods(ds []Decision, p Policy) {
	rules := periods(p)
	active := false
	for _, r := range rules {
		active = active || r.n > 0
	}
	if !active {
		return
	}
	walls := make([]wall, len(ds))
	loc := p.location()
	for i := range ds {
		walls[i] = wallOf(ds[i].Backup.Time, loc)
	}
	for _, r := range rules {
		keepPeriod(ds, walls, r)
	}
}

// keepPeriod keeps the first (newest) backup of each period until r.n
// periods are kept. A period is counted once even if its backups are not
// contiguous in time, as around a DST fall-back at midnight.
func keepPeriod(ds []Decision, walls []wall, r period) {
	if r.n <= 0 {
		return
	}
	seen := make(map[int]struct{}, min(r.n, len(ds)))
	prev, kept := 0, 0
	for i := range ds {
		k := r.key(walls[i])
		if i > 0 && k == prev {
			continue
		}
		prev = k
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		ds[i].Reasons = append(ds[i].Reasons, r.name+" "+r.label(walls[i]))
		if kept++; kept == r.n {
			return
		}
	}
}
