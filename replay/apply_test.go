package replay

import (
	"fmt"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/server/v3/lease"
)

func TestApply(t *testing.T) {
	b := newSmallBase(t, 0)
	B, a := b.rev, b.a
	next := evs(put(B+1, "/k/c", "c", B+1, 1, 0))
	cases := []struct {
		name    string
		rev     int64
		events  []*mvccpb.Event
		applied bool
		err     []string // substrings of the error; nil: no error
		poison  bool     // later revisions are refused too
		moved   bool     // the database's revision is B+1 after it
	}{
		{name: "next revision", rev: B + 1, events: next, applied: true, moved: true},
		{name: "overwrite and delete", rev: B + 1, applied: true, moved: true,
			events: evs(put(B+1, "/k/a", "a2", a.CreateRevision, a.Version+1, 0), del(B+1, "/k/b"))},
		{name: "base revision skipped", rev: B, events: evs(put(B, "/k/z", "z", B, 1, 0))},
		{name: "older revision skipped", rev: 1, events: evs(put(1, "/k/z", "z", 1, 1, 0))},
		{name: "gap", rev: B + 2, events: evs(put(B+2, "/k/z", "z", B+2, 1, 0)),
			err: []string{fmt.Sprintf("revision %d does not follow the database's %d", B+2, B)}},
		{name: "no events", rev: B + 1, err: []string{fmt.Sprintf("revision %d: no events", B+1)}},
		{name: "event of another revision", rev: B + 1, events: evs(put(B+2, "/k/z", "z", B+2, 1, 0)),
			err: []string{`event 0 ("/k/z") has mod_revision`}},
		{name: "delete of a missing key", rev: B + 1, events: evs(del(B+1, "/nope")), poison: true,
			err: []string{fmt.Sprintf("replay diverged at revision %d", B+1), `delete "/nope": no such key`}},
		{name: "delete of a missing key after a put", rev: B + 1, poison: true, moved: true,
			events: evs(put(B+1, "/k/c", "c", B+1, 1, 0), del(B+1, "/nope")),
			err:    []string{fmt.Sprintf("replay diverged at revision %d", B+1), `delete "/nope"`}},
		{name: "create_revision differs", rev: B + 1, poison: true, moved: true,
			events: evs(put(B+1, "/k/a", "a2", B+1, 1, 0)),
			err:    []string{fmt.Sprintf("replay diverged at revision %d", B+1), "create_revision"}},
		{name: "version differs", rev: B + 1, poison: true, moved: true,
			events: evs(put(B+1, "/k/a", "a2", a.CreateRevision, a.Version+2, 0)),
			err:    []string{fmt.Sprintf("replay diverged at revision %d", B+1), "version"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := b.open(t, Options{})
			applied, err := d.Apply(tc.rev, tc.events)
			checkErr(t, err, tc.err)
			if applied != tc.applied {
				t.Fatalf("applied = %v, want %v", applied, tc.applied)
			}
			want := B
			if tc.moved {
				want = B + 1
			}
			if got := d.Rev(); got != want {
				t.Fatalf("Rev() = %d, want %d", got, want)
			}
			if tc.applied || tc.err == nil {
				return
			}
			// After a refusal the database takes the next revision, unless the replay diverged.
			applied, err = d.Apply(B+1, next)
			if tc.poison {
				checkErr(t, err, tc.err)
			} else if err != nil || !applied {
				t.Fatalf("Apply(%d) after a refusal = %v, %v; want true, nil", B+1, applied, err)
			}
		})
	}
}

// checkErr checks that err holds every substring of want, or that it is nil when want is.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one with %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q, want it to hold %q", err, w)
		}
	}
}

// TestApplyLeases checks that a put on a lease the base lacks grants it with the replay's TTL, and
// that a base lease keeps its own.
func TestApplyLeases(t *testing.T) {
	b := newSmallBase(t, 0)
	for _, tc := range []struct {
		name string
		o    Options
		want int64
	}{
		{name: "default", want: DefaultLeaseTTL},
		{name: "set", o: Options{LeaseTTL: 77}, want: 77},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := b.open(t, tc.o)
			const unknown = 0x42
			events := evs(put(b.rev+1, "/new", "on a new lease", b.rev+1, 1, unknown),
				put(b.rev+1, "/also", "on the base lease", b.rev+1, 1, b.lease))
			if applied, err := d.Apply(b.rev+1, events); err != nil || !applied {
				t.Fatalf("Apply = %v, %v", applied, err)
			}
			for id, want := range map[int64]int64{unknown: tc.want, b.lease: baseTTL} {
				l := d.le.Lookup(lease.LeaseID(id))
				if l == nil {
					t.Fatalf("lease %x is not held", id)
				}
				if l.TTL() != want {
					t.Errorf("lease %x has TTL %d, want %d", id, l.TTL(), want)
				}
			}
			if got := d.le.GetLease(lease.LeaseItem{Key: "/new"}); got != unknown {
				t.Errorf("/new is attached to lease %x, want %x", int64(got), unknown)
			}
		})
	}
}
