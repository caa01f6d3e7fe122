package daemon

import (
	"testing"
	"time"
)

// TestJournalBackoff: failures in a row wait longer and longer, up to maxBackoff, so that storage
// trouble does not turn into a full backup every few seconds.
func TestJournalBackoff(t *testing.T) {
	j := &JournalJob{retry: 10 * time.Second}
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second,
		6: 5 * time.Minute, 40: 5 * time.Minute} {
		if got := j.backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}
