package prune

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
)

type drillSpec struct {
	backup int           // index into the case's times
	after  time.Duration // drill time after the backup
	ok     bool
}

// strays are keys that are not ours; no prune may touch them.
func strays(f *fixture, someID string) []string {
	keys := []string{"other/file", cluster + "/snapshots/not-an-id.txt",
		cluster + "/snapshots/" + someID + ".notes.txt", cluster + "/drills/" + someID + ".txt",
		cluster + "/wal/" + someID + ".json"}
	for _, k := range keys {
		f.put(k, []byte("keep me"))
		f.age(k, base.Add(-365*24*time.Hour))
	}
	return keys
}

func TestRunDeletesWhatThePolicyRemoves(t *testing.T) {
	day := func(d, h int) time.Time { return base.Add(time.Duration(24*d+h) * time.Hour) }
	cases := []struct {
		name   string
		times  []time.Time
		policy retention.Policy
		drills []drillSpec
		keep   []int // indices into times
	}{
		{"keep_last 2 of 5", hours(5), retention.Policy{KeepLast: 2}, nil, []int{3, 4}},
		{"newest verified is kept", hours(5), retention.Policy{KeepLast: 1},
			[]drillSpec{{1, time.Hour, true}}, []int{1, 4}},
		{"a failed drill does not verify", hours(6), retention.Policy{KeepLast: 1},
			[]drillSpec{{1, time.Hour, true}, {3, time.Hour, true}, {4, time.Hour, false}}, []int{3, 5}},
		{"the last drill decides", hours(5), retention.Policy{KeepLast: 1},
			[]drillSpec{{0, time.Hour, true}, {2, time.Hour, true}, {2, 2 * time.Hour, false}}, []int{0, 4}},
		{"keep_daily 2 over 3 days", []time.Time{day(0, 1), day(0, 13), day(1, 1), day(1, 13), day(2, 1), day(2, 13)},
			retention.Policy{KeepDaily: 2}, nil, []int{3, 5}},
		{"keep_within keeps all", hours(5), retention.Policy{KeepWithin: 100 * time.Hour}, nil, []int{0, 1, 2, 3, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkPolicyCase(t, c.times, c.policy, c.drills, c.keep) })
	}
}

// checkPolicyCase commits backups at times with the given drills, prunes under p, and checks
// that exactly the backups at the keep indices remain, with the rest of the store untouched.
func checkPolicyCase(t *testing.T, times []time.Time, p retention.Policy, drills []drillSpec, keep []int) {
	f := newFixture(t)
	var ids []string
	for _, at := range times {
		ids = append(ids, f.backup(at))
	}
	drillKeys := map[int][]string{}
	for _, d := range drills {
		at := times[d.backup].Add(d.after)
		f.drill(ids[d.backup], at, d.ok)
		drillKeys[d.backup] = append(drillKeys[d.backup],
			f.cat.Layout.DrillKey(ids[d.backup], at.UTC().Format(catalog.DrillTimeLayout)))
	}
	strays(f, ids[0])
	want := f.tree()
	var wantIDs []string
	for i, id := range ids {
		if slices.Contains(keep, i) {
			wantIDs = append(wantIDs, id)
			continue
		}
		delete(want, f.cat.Layout.ManifestKey(id))
		delete(want, f.cat.Layout.DataKey(id, catalog.SuffixZstdPGP))
		for _, k := range drillKeys[i] {
			delete(want, k)
		}
	}
	r, err := Run(context.Background(), f.cat, opts(p))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := f.committed(); !sameIDs(got, wantIDs) {
		t.Fatalf("committed after prune %v, want %v", got, wantIDs)
	}
	if got := f.tree(); !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("store after prune:\n%v\nwant:\n%v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if r.Deleted != len(ids)-len(keep) || len(r.Backups) != len(ids) {
		t.Fatalf("report: deleted %d of %d rows, want %d of %d", r.Deleted, len(r.Backups), len(ids)-len(keep), len(ids))
	}
	for _, row := range r.Backups {
		if row.Keep == row.Deleted || len(row.Reasons) == 0 {
			t.Fatalf("row %+v: keep and deleted must differ, reasons must be given", row)
		}
	}
}

func TestRunRefusesBadPolicies(t *testing.T) {
	cases := []struct {
		name   string
		policy retention.Policy
		want   string
	}{
		{"empty", retention.Policy{}, "keeps nothing"},
		{"negative", retention.Policy{KeepLast: 2, KeepDaily: -1}, "keep_daily: must be >= 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			for _, at := range hours(4) {
				f.backup(at)
			}
			before := f.tree()
			r, err := Run(context.Background(), f.cat, opts(c.policy))
			if err == nil || !strings.Contains(err.Error(), "refuse to prune") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run: error %v, want a refusal naming %q", err, c.want)
			}
			if r.Error != err.Error() {
				t.Fatalf("report error %q, want %q", r.Error, err)
			}
			if after := f.tree(); !maps.Equal(before, after) {
				t.Fatalf("a refused prune changed the store")
			}
		})
	}
}

// TestCheckPlan exercises the rails that retention.Apply already guarantees, on plans it never makes.
func TestCheckPlan(t *testing.T) {
	ids := []string{"c", "b", "a"} // newest first
	d := func(id string, keep bool) retention.Decision {
		return retention.Decision{Backup: retention.Backup{ID: id}, Keep: keep}
	}
	cases := []struct {
		name     string
		ds       []retention.Decision
		verified string
		want     string // "" for no error
	}{
		{"keeps the newest", []retention.Decision{d("c", true), d("b", false), d("a", false)}, "", ""},
		{"removes everything", []retention.Decision{d("c", false), d("b", false), d("a", false)}, "", "newest backup c"},
		{"removes the newest", []retention.Decision{d("c", false), d("b", true), d("a", true)}, "", "newest backup c"},
		{"removes the verified", []retention.Decision{d("c", true), d("b", false), d("a", true)}, "b", "newest verified backup b"},
		{"misses a backup", []retention.Decision{d("c", true), d("b", true)}, "", "covers 2 backups, the listing 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPlan(c.ds, ids, c.verified)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("checkPlan: %q, want %q", got, c.want)
			}
		})
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for _, at := range hours(6) {
		ids = append(ids, f.backup(at))
	}
	f.drill(ids[0], base.Add(time.Hour), true)
	f.age(f.cat.Layout.DataKey(f.data(base.Add(-48*time.Hour)), catalog.SuffixZstdPGP), now.Add(-48*time.Hour))
	f.drill(catalog.NewID(base.Add(-72*time.Hour), 7), base, true) // orphaned drill record
	strays(f, ids[1])
	before := f.tree()
	o := opts(retention.Policy{KeepLast: 2})
	o.DryRun = true
	r, err := Run(context.Background(), f.cat, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if after := f.tree(); !maps.Equal(before, after) {
		t.Fatalf("dry run changed the store:\nbefore %v\nafter  %v", before, after)
	}
	if got := len(r.Removed()); got != 3 || r.Deleted != 0 {
		t.Fatalf("dry run: %d planned removals and %d deleted, want 3 and 0", got, r.Deleted)
	}
	kinds := map[string]int{}
	for _, s := range r.Swept {
		if s.Deleted {
			t.Fatalf("dry run reports %s as deleted", s.Key)
		}
		kinds[s.Kind]++
	}
	if kinds[KindOrphan] != 1 || kinds[KindDrill] != 1 {
		t.Fatalf("dry run found %v, want 1 orphan and 1 orphaned drill record", kinds)
	}
}
