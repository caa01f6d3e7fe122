package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
)

// op is one change that build turns into the event etcd would send.
type op struct {
	key, value string
	lease      int64
	del        bool
}

func TestCompare(t *testing.T) {
	b := newSmallBase(t, 2100) // more than two pages of keys
	B := b.rev
	c := op{key: "/k/c", value: "c"}
	cases := []struct {
		name string
		a, b [][]op // one slice per revision after the base
		err  string // "": equal
	}{
		{name: "equal", a: [][]op{{c}}, b: [][]op{{c}}},
		{name: "value", a: [][]op{{{key: "/k/c", value: "v1"}}}, b: [][]op{{{key: "/k/c", value: "v2"}}},
			err: `key "/k/c": values differ (a=2 bytes b=2 bytes)`},
		{name: "value on the third page", a: [][]op{{{key: "/n/2050", value: "x1"}}}, b: [][]op{{{key: "/n/2050", value: "x22"}}},
			err: `key "/n/2050": values differ (a=2 bytes b=3 bytes)`},
		{name: "key missing in b", a: [][]op{{c, {key: "/k/d"}}}, b: [][]op{{c}}, err: `key "/k/d": in a, not in b`},
		{name: "key missing in a", a: [][]op{{c}}, b: [][]op{{c, {key: "/k/d"}}}, err: `key "/k/d": in b, not in a`},
		{name: "key missing on the second page", a: [][]op{{{key: "/n/1500", del: true}}}, b: [][]op{{{key: "/n/1501", del: true}}},
			err: `key "/n/1500": in b, not in a`},
		{name: "version", a: [][]op{{{key: "/k/c", value: "1"}, c}}, b: [][]op{{c}}, err: `key "/k/c": version a=2 b=1`},
		{name: "lease", a: [][]op{{c}}, b: [][]op{{{key: "/k/c", value: "c", lease: 0x77}}}, err: `key "/k/c": lease a=0 b=77`},
		{name: "create_revision", a: [][]op{{{key: "/k/a", value: "x"}}, {{key: "/k/a", value: "y"}}},
			b:   [][]op{{{key: "/k/a", del: true}}, {{key: "/k/a", value: "y"}}},
			err: fmt.Sprintf(`key "/k/a": create_revision a=%d b=%d`, b.a.CreateRevision, B+2)},
		{name: "mod_revision", a: [][]op{{{key: "/k/a", value: "z"}}, {c}}, b: [][]op{{c}, {{key: "/k/a", value: "z"}}},
			err: fmt.Sprintf(`key "/k/a": mod_revision a=%d b=%d`, B+1, B+2)},
		{name: "revision", a: [][]op{{c}}, err: fmt.Sprintf("revision a=%d b=%d", B+1, B)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pa, pb := build(t, b, tc.a), build(t, b, tc.b)
			err := Compare(testCtx(t), pa, pb)
			if tc.err == "" {
				checkErr(t, err, nil)
				return
			}
			checkErr(t, err, []string{fmt.Sprintf("compare a=%s b=%s: %s", pa, pb, tc.err)})
		})
	}
}

// TestCompareLeavesFiles checks that Compare changes neither file (it reads copies, and a snapshot
// keeps its trailer), leaves nothing behind, and stops when its context ends.
func TestCompareLeavesFiles(t *testing.T) {
	b := newSmallBase(t, 2100)
	before, err := os.ReadFile(b.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(testCtx(t), b.path, b.path); err != nil {
		t.Fatalf("Compare a snapshot with itself: %v", err)
	}
	after, err := os.ReadFile(b.path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatalf("Compare changed %s", b.path)
	}
	if names, _ := filepath.Glob(filepath.Join(filepath.Dir(b.path), "*")); len(names) != 1 {
		t.Fatalf("files left beside the snapshot: %q", names)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Compare(ctx, b.path, b.path); !errors.Is(err, context.Canceled) {
		t.Fatalf("Compare with a cancelled context: %v, want context.Canceled", err)
	}
}

// build applies ops, one revision per slice, to a copy of the base, with the create revisions and
// versions etcd would give, and returns the closed file.
func build(t *testing.T, b *smallBase, revs [][]op) string {
	t.Helper()
	d, path := b.open(t, Options{})
	for i, ops := range revs {
		rev := b.rev + int64(i) + 1
		if applied, err := d.Apply(rev, events(t, d, rev, ops)); err != nil || !applied {
			t.Fatalf("Apply(%d) = %v, %v", rev, applied, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// events makes the events of one revision from the database's state before it.
func events(t *testing.T, d *DB, rev int64, ops []op) []*mvccpb.Event {
	t.Helper()
	live := map[string]*mvccpb.KeyValue{} // changed in this revision; nil: deleted
	var out []*mvccpb.Event
	for _, o := range ops {
		prev, ok := live[o.key]
		if !ok {
			r, err := d.kv.Range(testCtx(t), []byte(o.key), nil, mvcc.RangeOptions{})
			if err != nil {
				t.Fatalf("read %q: %v", o.key, err)
			}
			if len(r.KVs) == 1 {
				prev = r.KVs[0]
			}
		}
		if o.del {
			out, live[o.key] = append(out, del(rev, o.key)), nil
			continue
		}
		create, version := rev, int64(1)
		if prev != nil {
			create, version = prev.CreateRevision, prev.Version+1
		}
		ev := put(rev, o.key, o.value, create, version, o.lease)
		out, live[o.key] = append(out, ev), ev.Kv
	}
	return out
}
