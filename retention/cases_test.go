package retention

import (
	"math/rand/v2"
	"time"
)

// goldenCase is one fixed history, policy and time, with its result in
// testdata/<name>.golden.
type goldenCase struct {
	name    string
	policy  Policy
	now     time.Time
	backups []Backup
}

func goldenCases() []goldenCase {
	utc := time.UTC
	return []goldenCase{
		{"dst_spring_paris", Policy{KeepHourly: 26, KeepDaily: 3, Location: paris},
			clock(paris, "2026-03-30 02:30"),
			history(every(paris, "2026-03-28 20:00", 30*time.Minute, 59))},
		{"dst_fall_paris", Policy{KeepHourly: 6, KeepDaily: 2, Location: paris},
			clock(paris, "2026-10-25 06:00"),
			history(every(paris, "2026-10-24 23:00", 20*time.Minute, 22))},
		{"leap_day", Policy{KeepDaily: 6, KeepWeekly: 2, KeepMonthly: 2},
			clock(utc, "2028-03-04 00:00"),
			history(every(utc, "2028-02-25 06:00", 12*time.Hour, 16))},
		{"month_ends", Policy{KeepDaily: 3, KeepMonthly: 6, Location: newYork},
			clock(newYork, "2027-01-01 01:00"), history(monthEnds(newYork, 2026))},
		{"year_boundary", Policy{KeepDaily: 2, KeepWeekly: 5, KeepMonthly: 3, Location: paris},
			clock(paris, "2027-01-13 08:00"),
			history(every(utc, "2026-12-10 23:30", 24*time.Hour, 34))},
		{"burst_same_minute", Policy{KeepLast: 3, KeepHourly: 2, KeepDaily: 1},
			clock(utc, "2026-11-20 15:00"),
			history(concat(every(utc, "2026-11-20 10:00", time.Hour, 4),
				every(utc, "2026-11-20 14:05:00", 5*time.Second, 12),
				every(utc, "2026-11-20 14:05:55", 0, 2)))},
		{"gaps_of_weeks", Policy{KeepDaily: 5, KeepWeekly: 3, KeepWithin: 24 * time.Hour},
			clock(utc, "2026-11-20 00:00"), history(gapDates())},
		{"hourly_for_3_days", Policy{KeepLast: 4, KeepHourly: 24, KeepDaily: 7, Location: paris},
			clock(paris, "2026-11-21 00:00"),
			history(every(paris, "2026-11-18 00:00", 30*time.Minute, 144))},
		{"verified_old", Policy{KeepLast: 3},
			clock(utc, "2026-11-21 00:00"),
			history(every(utc, "2026-11-01 12:00", 24*time.Hour, 20), 2, 4)},
		{"newest_verified", Policy{KeepLast: 2},
			clock(utc, "2026-11-21 00:00"),
			history(every(utc, "2026-11-19 00:00", 6*time.Hour, 8), 0, 1, 2, 4, 5, 6, 7)},
		{"within_from_newest", Policy{KeepLast: 1, KeepWithin: 48 * time.Hour},
			clock(utc, "2026-11-20 00:00"),
			history(every(utc, "2026-10-01 00:00", 6*time.Hour, 40))},
		{"future_skew", Policy{KeepWithin: 72 * time.Hour},
			clock(utc, "2026-11-20 13:00"),
			history(concat(every(utc, "2026-11-01 12:00", 24*time.Hour, 20),
				every(utc, "2027-06-01 12:00", 0, 1)))},
		{"duplicates_unsorted", Policy{KeepLast: 2, KeepDaily: 2},
			clock(utc, "2026-11-20 12:00"), duplicatesShuffled()},
		{"default_policy", DefaultPolicy(),
			clock(utc, "2026-11-15 00:00"),
			history(every(utc, "2026-10-01 06:00", 12*time.Hour, 90))},
		{"all_rules", Policy{KeepLast: 2, KeepHourly: 4, KeepDaily: 7, KeepWeekly: 4,
			KeepMonthly: 3, KeepWithin: 6 * time.Hour, Location: paris},
			clock(paris, "2026-10-18 15:00"),
			history(concat(every(paris, "2026-07-01 06:00", 24*time.Hour, 110),
				every(paris, "2026-10-18 07:00", time.Hour, 8)), 60)},
		{"empty_policy", Policy{},
			clock(utc, "2026-11-20 00:00"),
			history(every(utc, "2026-11-15 00:00", 24*time.Hour, 5))},
		{"invalid_policy", Policy{KeepLast: 2, KeepDaily: -1},
			clock(utc, "2026-11-20 00:00"),
			history(every(utc, "2026-11-15 00:00", 24*time.Hour, 5))},
		{"no_backups", DefaultPolicy(), clock(utc, "2026-11-20 00:00"), nil},
	}
}

// monthEnds returns 00:30 on the first and 23:30 on the last day of every
// month of year, as read in loc.
func monthEnds(loc *time.Location, year int) []time.Time {
	var out []time.Time
	for m := time.January; m <= time.December; m++ {
		out = append(out,
			time.Date(year, m, 1, 0, 30, 0, 0, loc),
			time.Date(year, m+1, 0, 23, 30, 0, 0, loc))
	}
	return out
}

// gapDates are days weeks apart, some with a neighbour, at 03:00 UTC.
func gapDates() []time.Time {
	var out []time.Time
	for _, d := range []string{"2026-01-05", "2026-01-06", "2026-02-16", "2026-02-17",
		"2026-04-01", "2026-05-20", "2026-05-21", "2026-05-22", "2026-07-15",
		"2026-09-30", "2026-11-11", "2026-11-12"} {
		out = append(out, clock(time.UTC, d+" 03:00"))
	}
	return out
}

// duplicatesShuffled lists some backups twice, one copy verified, in a
// fixed shuffled order.
func duplicatesShuffled() []Backup {
	base := history(every(time.UTC, "2026-11-15 08:00", 8*time.Hour, 15))
	in := append([]Backup(nil), base...)
	for _, i := range []int{0, 3, 7, 14, 14} {
		in = append(in, base[i])
	}
	in[len(base)+2].Verified = true // the second copy of base[7]
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	return in
}
