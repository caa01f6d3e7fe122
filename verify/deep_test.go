package verify

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/workdir"
)

// TestDeep restores a backup in the scratch dir, serves it and compares; the scratch dir is emptied.
func TestDeep(t *testing.T) {
	f := newFixture(t, 1000, 512, true)
	m := f.backup()
	o := f.options()
	d, err := Deep(context.Background(), o, m)
	if err != nil {
		t.Fatalf("Deep: %v", err)
	}
	total := int64(len(f.keys) + 1) // and the marker
	if !d.OK || d.Mode != catalog.ModeDeep || d.Figures["served_keys"] != total ||
		d.Figures["served_revision"] != m.Snapshot.Revision || d.Figures["status_total_keys"] != total {
		t.Fatalf("drill %+v", d)
	}
	var perResource int64
	for k, n := range d.Figures {
		if strings.HasPrefix(k, "registry/") {
			perResource += n
		}
	}
	if perResource != int64(len(f.keys)) || d.Figures["registry/pods"] == 0 {
		t.Fatalf("keys per resource add up to %d, want %d: %v", perResource, len(f.keys), d.Figures)
	}
	for _, s := range []string{StepDownload, StepStatus, StepRestore, StepStart, StepCompare, StepTotal} {
		if _, ok := d.Steps[s]; !ok {
			t.Fatalf("no step %q in %v", s, d.Steps)
		}
	}
	assertOnly(t, o.ScratchDir, workdir.Marker, ".lock")
	last, err := f.cat.LastDrills(context.Background())
	if err != nil || last[m.ID] == nil || last[m.ID].Mode != catalog.ModeDeep || !last[m.ID].OK {
		t.Fatalf("recorded drill %+v, %v", last[m.ID], err)
	}
}

// TestDeepFailures checks the deep comparisons and a full scratch disk; the scratch dir is emptied
// and the failure recorded.
func TestDeepFailures(t *testing.T) {
	f := newFixture(t, 1000, 512, true)
	cases := []struct {
		name   string
		change func(m *catalog.Manifest)
		hook   func(int64) error
		want   string
	}{
		{"hash", func(m *catalog.Manifest) { m.Snapshot.Hash++ }, nil, "snapshot hash mismatch"},
		{"total keys", func(m *catalog.Manifest) { m.Snapshot.TotalKeys++ }, nil, "snapshot total_keys mismatch"},
		{"disk full", func(*catalog.Manifest) {}, func(n int64) error {
			if n > 256<<10 {
				return syscall.ENOSPC
			}
			return nil
		}, "no space left on device"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := f.backup()
			c.change(m)
			writeHook = c.hook
			defer func() { writeHook = nil }()
			o := f.options()
			d, err := Deep(context.Background(), o, m)
			if err == nil || !strings.Contains(err.Error(), c.want) || d.OK {
				t.Fatalf("Deep: %v, want %q", err, c.want)
			}
			if c.hook != nil && !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("error %v is not ENOSPC", err)
			}
			assertOnly(t, o.ScratchDir, workdir.Marker, ".lock")
			last, _ := f.cat.LastDrills(context.Background())
			if r := last[m.ID]; r == nil || r.OK || r.Error != err.Error() {
				t.Fatalf("recorded drill %+v", r)
			}
		})
	}
}

// TestDrill runs scheduled drills: the newest backup, then an older one on every fourth.
func TestDrill(t *testing.T) {
	f := newFixture(t, 200, 256, false)
	ms := []*catalog.Manifest{f.backup(), f.backup(), f.backup()}
	rng := rand.New(rand.NewPCG(1, 2))
	o := f.options()
	now := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
	o.Now = func() time.Time { now = now.Add(time.Hour); return now } // one record name per drill
	cases := []struct {
		count int
		older bool
	}{{1, false}, {3, false}, {4, true}, {0, true}, {0, false}, {8, true}} // 0: records so far + 1
	for _, c := range cases {
		d, err := Drill(context.Background(), o, c.count, rng)
		if err != nil {
			t.Fatalf("drill %d: %v", c.count, err)
		}
		if newest := d.BackupID == ms[2].ID; newest == c.older || d.Mode != catalog.ModeDeep {
			t.Fatalf("drill %d tested %s (newest %s), want older=%v", c.count, d.BackupID, ms[2].ID, c.older)
		}
	}
	recs, err := f.cat.Store.List(context.Background(), f.cat.Layout.DrillsPrefix())
	if err != nil || len(recs) != len(cases) {
		t.Fatalf("%d drill records, want %d: %v", len(recs), len(cases), err)
	}
	empty := newFixture(t, 1, 16, false)
	if _, err := Drill(context.Background(), empty.options(), 1, rng); !errors.Is(err, catalog.ErrNoBackup) {
		t.Fatalf("drill without backups: %v", err)
	}
}

func TestPickDrill(t *testing.T) {
	ids := []string{"c", "b", "a"}
	rng := rand.New(rand.NewPCG(7, 7))
	seen := map[string]int{}
	for n := 1; n <= 400; n++ {
		got := PickDrill(ids, n, rng)
		if (n%OlderEvery == 0) == (got == "c") {
			t.Fatalf("drill %d picked %q", n, got)
		}
		seen[got]++
	}
	if seen["a"] == 0 || seen["b"] == 0 || seen["c"] != 300 {
		t.Fatalf("picks %v: every older backup must come up", seen)
	}
	if got := PickDrill([]string{"only"}, 4, rng); got != "only" {
		t.Fatalf("one backup: picked %q", got)
	}
	if got := PickDrill(nil, 1, rng); got != "" {
		t.Fatalf("no backups: picked %q", got)
	}
}

func TestResource(t *testing.T) {
	cases := []struct{ key, want string }{
		{"/registry/pods/default/web-1", "pods"},
		{"/registry/secrets/kube-system/token", "secrets"},
		{"/registry/apiregistration.k8s.io/apiservices/v1.apps", "apiregistration.k8s.io/apiservices"},
		{"/registry/health", "health"},
		{"/registry/example.com", "example.com"},
	}
	for _, c := range cases {
		if got := Resource(c.key); got != c.want {
			t.Fatalf("Resource(%q) = %q, want %q", c.key, got, c.want)
		}
	}
}
