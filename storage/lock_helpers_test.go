package storage

import (
	"context"
	"testing"
	"time"
)

// checkRetention writes "locked" with the lock and "free" without to s (opened with a Lock of one
// hour): the first is retained about an hour, the second not at all, a missing key is not retained
// (and KeepLocked leaves it alone), and the retention of "locked" extends by a day.
func checkRetention(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	put := func(key string, locked bool) {
		t.Helper()
		w, err := s.NewWriter(ctx, key, WriteOptions{Lock: locked, IfNotExist: true})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("backup " + key))
		if err := w.Commit(); err != nil {
			t.Fatalf("commit %s: %v", key, err)
		}
	}
	before := time.Now()
	put("locked", true)
	put("free", false)
	until, err := RetainedUntil(ctx, s, "locked")
	if err != nil || until.Before(before.Add(time.Hour-time.Minute)) || until.After(time.Now().Add(time.Hour+time.Minute)) {
		t.Fatalf("retained until %s (%v), want about an hour from now", until, err)
	}
	if until, err := RetainedUntil(ctx, s, "free"); err != nil || !until.IsZero() {
		t.Fatalf("an unlocked write is retained until %s (%v)", until, err)
	}
	if until, err := RetainedUntil(ctx, s, "gone"); err != nil || !until.IsZero() {
		t.Fatalf("a missing key is retained until %s (%v); want nothing retained", until, err)
	}
	if err := KeepLocked(ctx, s, "gone"); err != nil {
		t.Fatalf("KeepLocked of a missing key: %v", err)
	}
	later := until.Add(24 * time.Hour)
	if err := Retain(ctx, s, "locked", later); err != nil {
		t.Fatal(err)
	}
	if got, _ := RetainedUntil(ctx, s, "locked"); got.Sub(later).Abs() > time.Second {
		t.Fatalf("retention after extension %s, want %s", got, later)
	}
}
