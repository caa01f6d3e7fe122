package retention

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
)

// referenceReasons states the rules the plain way, for a valid policy:
// group by period label, order periods by their newest backup, keep the
// newest backup of the first N. It returns the expected keep reasons by ID.
func referenceReasons(in []Backup, p Policy, now time.Time) map[string][]string {
	byID := map[string]Backup{}
	for _, b := range in {
		if old, ok := byID[b.ID]; !ok || b.Verified && !old.Verified {
			byID[b.ID] = b
		}
	}
	list := make([]Backup, 0, len(byID))
	for _, b := range byID {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Time.Equal(list[j].Time) {
			return list[i].Time.After(list[j].Time)
		}
		return list[i].ID > list[j].ID
	})
	want := map[string][]string{}
	for i := 0; i < p.KeepLast && i < len(list); i++ {
		want[list[i].ID] = append(want[list[i].ID], "last "+strconv.Itoa(p.KeepLast))
	}
	loc := p.location()
	labels := []struct {
		name string
		n    int
		of   func(t time.Time) string
	}{
		{"hourly", p.KeepHourly, func(t time.Time) string { return t.In(loc).Format("2006-01-02T15") }},
		{"daily", p.KeepDaily, func(t time.Time) string { return t.In(loc).Format("2006-01-02") }},
		{"weekly", p.KeepWeekly, func(t time.Time) string {
			y, w := t.In(loc).ISOWeek()
			return fmt.Sprintf("%d-W%02d", y, w)
		}},
		{"monthly", p.KeepMonthly, func(t time.Time) string { return t.In(loc).Format("2006-01") }},
	}
	for _, l := range labels {
		for _, r := range newestPerPeriod(list, l.of, l.n) {
			want[r[0]] = append(want[r[0]], l.name+" "+r[1])
		}
	}
	for _, b := range withinWindow(list, p.KeepWithin, now) {
		want[b.ID] = append(want[b.ID], "within "+formatDuration(p.KeepWithin))
	}
	if len(list) > 0 {
		want[list[0].ID] = append(want[list[0].ID], ReasonNewest)
	}
	if i := slices.IndexFunc(list, func(b Backup) bool { return b.Verified }); i >= 0 {
		want[list[i].ID] = append(want[list[i].ID], ReasonNewestVerified)
	}
	return want
}

// withinWindow returns the backups younger than d, measured from the newest
// one not after now (from the newest one when none is, or now is zero).
func withinWindow(list []Backup, d time.Duration, now time.Time) []Backup {
	if d <= 0 || len(list) == 0 {
		return nil
	}
	at := list[0].Time
	if i := slices.IndexFunc(list, func(b Backup) bool { return !b.Time.After(now) }); i >= 0 && !now.IsZero() {
		at = list[i].Time
	}
	var out []Backup
	for _, b := range list {
		if at.Sub(b.Time) < d {
			out = append(out, b)
		}
	}
	return out
}

// newestPerPeriod returns [ID, label] of the newest backup of each of the n
// periods whose newest backups are the most recent; list is newest first.
func newestPerPeriod(list []Backup, label func(time.Time) string, n int) [][2]string {
	newest := map[string]int{}
	for i, b := range list {
		l := label(b.Time)
		if _, ok := newest[l]; !ok {
			newest[l] = i
		}
	}
	var out [][2]string
	for l, i := range newest {
		out = append(out, [2]string{list[i].ID, l})
	}
	sort.Slice(out, func(a, b int) bool { return newest[out[a][1]] < newest[out[b][1]] })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// checkReference compares ds with the reference model.
func checkReference(t *testing.T, in []Backup, p Policy, now time.Time, ds []Decision) {
	t.Helper()
	if p.Validate() != nil {
		return
	}
	want := referenceReasons(in, p, now)
	for _, d := range ds {
		w := want[d.Backup.ID]
		if len(w) == 0 {
			w = []string{ReasonNoRule}
		}
		if !slices.Equal(d.Reasons, w) {
			t.Fatalf("backup %s: reasons %q, want %q (policy %v)", d.Backup.ID, d.Reasons, w, p)
		}
	}
}
