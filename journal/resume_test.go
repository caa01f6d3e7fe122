package journal

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

func TestStartAfter(t *testing.T) {
	s := seg(101, 200)
	b := func(rev int64) *Base { x := base(rev, rev+2); return &x }
	cases := []struct {
		name string
		seg  *Segment
		base *Base
		want Start
		ok   bool
	}{
		{"nothing", nil, nil, Start{}, false},
		{"segment only", &s, nil, Start{Next: 201, Previous: s.Name}, true},
		{"base only", nil, b(150), Start{Next: 151, Base: b(150).ID}, true},
		{"segment past the base", &s, b(150), Start{Next: 201, Previous: s.Name}, true},
		{"segment ends at the base", &s, b(200), Start{Next: 201, Previous: s.Name}, true},
		{"base after the segment", &s, b(201), Start{Next: 202, Base: b(201).ID}, true},
		{"base long after the segment", &s, b(5000), Start{Next: 5001, Base: b(5000).ID}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := StartAfter(c.seg, c.base)
			if got != c.want || ok != c.ok {
				t.Fatalf("start %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestBaseOf(t *testing.T) {
	created := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	id := catalog.NewID(created, 100)
	unique := catalog.NewUniqueID(created, 100)
	cases := []struct {
		name    string
		m       catalog.Manifest
		want    Base
		wantErr string
	}{
		{"snapshot after the ID revision", catalog.Manifest{ID: id, CreatedAt: created,
			Snapshot: catalog.SnapshotInfo{Revision: 103}}, Base{ID: id, Rev: 100, SnapshotRev: 103, Time: created}, ""},
		{"snapshot revision unknown", catalog.Manifest{ID: id, CreatedAt: created},
			Base{ID: id, Rev: 100, SnapshotRev: 100, Time: created}, ""},
		{"unique ID", catalog.Manifest{ID: unique, CreatedAt: created, Snapshot: catalog.SnapshotInfo{Revision: 100}},
			Base{ID: unique, Rev: 100, SnapshotRev: 100, Time: created}, ""},
		{"not an ID", catalog.Manifest{ID: "latest"}, Base{}, "backup ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := BaseOf(&c.m)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("base %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
