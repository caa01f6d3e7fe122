package retention

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones used by the cases, independent of the host
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("load zone %s: %v", name, err))
	}
	return loc
}

var (
	paris   = mustZone("Europe/Paris")
	newYork = mustZone("America/New_York")
)

// clock parses a wall-clock time in loc, with or without seconds.
func clock(loc *time.Location, s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	panic("bad clock time " + s)
}

// every returns count instants, step apart in real time, from start in loc.
func every(loc *time.Location, start string, step time.Duration, count int) []time.Time {
	t := clock(loc, start)
	out := make([]time.Time, count)
	for i := range out {
		out[i] = t.Add(time.Duration(i) * step)
	}
	return out
}

// backupID builds an ID in the catalog's format: UTC time and revision.
func backupID(t time.Time, rev int) string {
	return t.UTC().Format("20060102T150405Z") + fmt.Sprintf("-r%012d", rev)
}

// history turns times into backups with growing revisions, oldest first;
// the indices in verified (into the sorted times) are marked verified.
func history(times []time.Time, verified ...int) []Backup {
	ts := slices.Clone(times)
	slices.SortStableFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]Backup, len(ts))
	for i, t := range ts {
		out[i] = Backup{ID: backupID(t, 1000*(i+1)), Time: t, Verified: slices.Contains(verified, i)}
	}
	return out
}

func concat(parts ...[]time.Time) []time.Time { return slices.Concat(parts...) }

// render prints decisions one per line: ID, time in the policy's zone,
// keep or remove, and the reasons.
func render(name string, p Policy, now time.Time, ds []Decision) string {
	loc := p.location()
	var b strings.Builder
	keep, _ := Split(ds)
	fmt.Fprintf(&b, "# case: %s\n# policy: %s\n", name, p)
	fmt.Fprintf(&b, "# now: %s\n", now.In(loc).Format(time.RFC3339))
	fmt.Fprintf(&b, "# kept %d of %d\n", len(keep), len(ds))
	for _, d := range ds {
		verdict := "remove"
		if d.Keep {
			verdict = "keep"
		}
		mark := " "
		if d.Backup.Verified {
			mark = "v"
		}
		fmt.Fprintf(&b, "%s %s  %s  %-6s  %s\n", d.Backup.ID, mark,
			d.Backup.Time.In(loc).Format("2006-01-02T15:04:05-07:00 Mon"),
			verdict, strings.Join(d.Reasons, ", "))
	}
	return b.String()
}

// checkInvariants checks what must hold for any input and policy. Inputs
// list a repeated ID only with the same time.
func checkInvariants(t *testing.T, in []Backup, p Policy, ds []Decision) {
	t.Helper()
	ids := map[string]bool{}
	for _, b := range in {
		ids[b.ID] = true
	}
	if len(ds) != len(ids) {
		t.Fatalf("got %d decisions, want %d (one per ID)", len(ds), len(ids))
	}
	seen := map[string]bool{}
	for i, d := range ds {
		if !ids[d.Backup.ID] || seen[d.Backup.ID] {
			t.Fatalf("decision %d: ID %s unknown or repeated", i, d.Backup.ID)
		}
		seen[d.Backup.ID] = true
		if i > 0 && newestFirst(ds[i-1].Backup, d.Backup) > 0 {
			t.Fatalf("decision %d: %s is not sorted newest first", i, d.Backup.ID)
		}
		noRule := len(d.Reasons) == 1 && d.Reasons[0] == ReasonNoRule
		if len(d.Reasons) == 0 || d.Keep == noRule {
			t.Fatalf("decision %s: keep %v with reasons %q", d.Backup.ID, d.Keep, d.Reasons)
		}
	}
	keep, remove := Split(ds)
	if len(keep)+len(remove) != len(ids) {
		t.Fatalf("kept %d + removed %d, want %d", len(keep), len(remove), len(ids))
	}
	checkRails(t, in, ds)
	if p.Validate() != nil {
		if len(remove) != 0 {
			t.Fatalf("invalid policy %v removed %d backups", p, len(remove))
		}
		return
	}
	checkRuleCounts(t, p, ds)
}

// checkRails checks that the newest and the newest verified backups of the
// input are kept.
func checkRails(t *testing.T, in []Backup, ds []Decision) {
	t.Helper()
	kept := map[string]bool{}
	for _, d := range ds {
		kept[d.Backup.ID] = d.Keep
	}
	var newest, newestVerified *Backup
	for i := range in {
		b := &in[i]
		if newest == nil || newestFirst(*b, *newest) < 0 {
			newest = b
		}
		if b.Verified && (newestVerified == nil || newestFirst(*b, *newestVerified) < 0) {
			newestVerified = b
		}
	}
	if newest != nil && !kept[newest.ID] {
		t.Fatalf("newest backup %s removed", newest.ID)
	}
	if newestVerified != nil && !kept[newestVerified.ID] {
		t.Fatalf("newest verified backup %s removed", newestVerified.ID)
	}
}

// checkRuleCounts checks that each counted rule keeps at most N backups,
// and each period rule at most one per period.
func checkRuleCounts(t *testing.T, p Policy, ds []Decision) {
	t.Helper()
	limits := map[string]int{"last": p.KeepLast, "hourly": p.KeepHourly,
		"daily": p.KeepDaily, "weekly": p.KeepWeekly, "monthly": p.KeepMonthly}
	counts := map[string]int{}
	labels := map[string]bool{}
	for _, d := range ds {
		for _, r := range d.Reasons {
			rule, _, _ := strings.Cut(r, " ")
			if _, ok := limits[rule]; !ok {
				continue
			}
			counts[rule]++
			if rule != "last" && labels[r] {
				t.Fatalf("%q kept twice", r)
			}
			labels[r] = true
		}
	}
	for rule, n := range counts {
		if n > limits[rule] {
			t.Fatalf("rule %s kept %d backups, limit %d", rule, n, limits[rule])
		}
	}
}
