package journal

import (
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

func TestParseName(t *testing.T) {
	cases := []struct {
		name        string
		first, last int64
		ok          bool
	}{
		{"0000000000000001-0000000000000002", 1, 2, true},
		{"0000000000000007-0000000000000007", 7, 7, true},
		{"9223372036854775-9223372036854775", 9223372036854775, 9223372036854775, true},
		{"0000000000000000-0000000000000002", 0, 0, false},  // revision 0
		{"0000000000000003-0000000000000002", 0, 0, false},  // last before first
		{"000000000000001-0000000000000002", 0, 0, false},   // 15 digits
		{"00000000000000001-0000000000000002", 0, 0, false}, // 17 digits
		{"0000000000000001-000000000000002", 0, 0, false},   // 15 digits
		{"0000000000000001_0000000000000002", 0, 0, false},  // no dash
		{"0000000000000001-0000000000000002-0000000000000003", 0, 0, false},
		{"+000000000000001-0000000000000002", 0, 0, false}, // a sign is not a digit
		{"0000000000000001-+000000000000002", 0, 0, false}, // a sign is not a digit
		{"0000000000000001--000000000000002", 0, 0, false}, // negative
		{"000000000000000a-0000000000000002", 0, 0, false}, // hex
		{" 000000000000001-0000000000000002", 0, 0, false}, // space
		{"000000000000000１-0000000000000002", 0, 0, false}, // a wide digit
		{"../../../../etc/-0000000000000002", 0, 0, false}, // a path
		{"", 0, 0, false},
		{"-", 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, last, ok := ParseName(c.name)
			if ok != c.ok || ok && (first != c.first || last != c.last) {
				t.Fatalf("ParseName(%q) = %d, %d, %v; want %d, %d, %v", c.name, first, last, ok, c.first, c.last, c.ok)
			}
			if ok && Name(first, last) != c.name {
				t.Fatalf("ParseName(%q) accepts a name that Name(%d, %d) writes as %q", c.name, first, last,
					Name(first, last))
			}
		})
	}
}

func TestNameSortsByRevision(t *testing.T) {
	revs := []int64{1, 9, 10, 99, 100, 12345, 999999999, 1000000000, 9999999999999999}
	for i, a := range revs {
		for _, b := range revs[i+1:] {
			if Name(a, b) >= Name(b, b) || Name(a, a) >= Name(a, b) {
				t.Fatalf("names of %d and %d do not sort by revision: %s %s %s", a, b, Name(a, a), Name(a, b), Name(b, b))
			}
		}
		if f, l, ok := ParseName(Name(a, a)); !ok || f != a || l != a {
			t.Fatalf("ParseName(Name(%d, %d)) = %d, %d, %v", a, a, f, l, ok)
		}
	}
}

func TestLayoutSplit(t *testing.T) {
	l := Layout{Cluster: "prod"}
	n := Name(11, 20)
	cases := []struct {
		key      string
		manifest bool
		ok       bool
	}{
		{"prod/wal/" + n + ".json", true, true},
		{"prod/wal/" + n + ".jnl", false, true},
		{"prod/wal/" + n + ".jnl.zst", false, true},
		{"prod/wal/" + n + ".jnl.pgp", false, true},
		{"prod/wal/" + n + ".jnl.zst.pgp", false, true},
		{"prod/wal/" + n + ".jnl.pgp.zst", false, false},
		{"prod/wal/" + n + ".jnl.gz", false, false},
		{"prod/wal/" + n + ".json.bak", false, false},
		{"prod/wal/" + n + ".json/x", false, false},
		{"prod/wal/" + n + ".txt", false, false},
		{"prod/wal/" + n, false, false},
		{"prod/wal/" + n + ".", false, false},
		{"prod/wal/sub/" + n + ".json", false, false},
		{"prod/wal/x" + n + ".json", false, false},
		{"prod/wal/" + Name(0, 20) + ".json", false, false},
		{"prod/wal/" + Name(20, 11) + ".json", false, false},
		{"prod/wal/.json", false, false},
		{"prod2/wal/" + n + ".json", false, false},
		{"pro/wal/" + n + ".json", false, false},
		{"other/prod/wal/" + n + ".json", false, false},
		{"prod/" + n + ".json", false, false},
		{"prod/wal" + n + ".json", false, false},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			name, manifest, ok := l.split(c.key)
			if ok != c.ok || manifest != c.manifest || ok && name != n {
				t.Fatalf("split(%q) = %q, %v, %v; want %q, %v, %v", c.key, name, manifest, ok, n, c.manifest, c.ok)
			}
		})
	}
}

func TestLayoutKeysSplitBack(t *testing.T) {
	l := Layout{Cluster: "a-b.c"}
	n := Name(3, 4)
	keys := []string{l.ManifestKey(n)}
	for _, comp := range []string{catalog.CompressionZstd, catalog.CompressionNone} {
		for _, enc := range []bool{true, false} {
			keys = append(keys, l.DataKey(n, "", comp, enc), l.DataKey(n, "0a1b2c", comp, enc))
		}
	}
	for i, k := range keys {
		name, manifest, ok := l.split(k)
		if !ok || name != n || manifest != (i == 0) {
			t.Fatalf("split(%q) = %q, %v, %v", k, name, manifest, ok)
		}
		if _, _, ok := (Layout{Cluster: "a-b"}).split(k); ok {
			t.Fatalf("cluster a-b claims %q", k)
		}
	}
}

func TestLayoutOwns(t *testing.T) {
	l := Layout{Cluster: "test"}
	for key, want := range map[string]bool{
		l.ManifestKey(Name(1, 2)):                                      true,
		l.DataKey(Name(1, 2), "", catalog.CompressionZstd, true):       true,
		l.DataKey(Name(1, 2), "9f8e7d", catalog.CompressionZstd, true): true,
		"test/wal/" + Name(1, 2) + ".9F8E7D.jnl":                       false,
		"test/wal/" + Name(1, 2) + ".12345.jnl":                        false,
		"test/wal/notes.txt":                                           false,
		"test/20250101T000000Z-r000000000001.json":                     false,
		"test2/wal/" + Name(1, 2) + ".json":                            false,
	} {
		if got := l.Owns(key); got != want {
			t.Errorf("Owns(%q) = %v, want %v", key, got, want)
		}
	}
}
