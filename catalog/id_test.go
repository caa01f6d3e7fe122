package catalog

import (
	"regexp"
	"sort"
	"testing"
	"time"
)

// TestUniqueIDs: two writers at the same second and revision get two IDs that parse like the old
// ones, and IDs, old or new, still sort by time as text.
func TestUniqueIDs(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewUniqueID(at, 123), NewUniqueID(at, 123)
	if a == b {
		t.Fatalf("two writers got the same ID %s", a)
	}
	if !regexp.MustCompile(`^20260101T000000Z-r000000000123-[0-9a-f]{6}$`).MatchString(a) {
		t.Fatalf("NewUniqueID = %s", a)
	}
	got, rev, err := ParseID(a)
	if err != nil || !got.Equal(at) || rev != 123 {
		t.Fatalf("ParseID(%s) = %v %d %v", a, got, rev, err)
	}
	ids := []string{NewUniqueID(at.Add(time.Second), 1), NewID(at.Add(2*time.Second), 1), a, NewID(at.Add(-time.Second), 999)}
	want := []string{ids[3], ids[2], ids[0], ids[1]}
	sort.Strings(ids)
	for i := range ids {
		if ids[i] != want[i] {
			t.Fatalf("sorted %v, want %v", ids, want)
		}
	}
	for _, bad := range []string{a + "0", a[:len(a)-1], NewID(at, 1) + "-ABCDEF", NewID(at, 1) + "-", NewID(at, 1) + "-a1b2c3.x"} {
		if ValidID(bad) {
			t.Fatalf("ValidID(%q) = true", bad)
		}
	}
}
