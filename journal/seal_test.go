package journal

import (
	"testing"
	"time"
)

// TestSealAfterLeavesTimeForTheCommit: a segment is sealed early by the time the last commit took
// (at least commitReserve) and the watch's delivery, so that it is committed within MaxAge of its
// write; never before half of MaxAge.
func TestSealAfterLeavesTimeForTheCommit(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{0, 5*time.Second - 150*time.Millisecond},
		{40 * time.Millisecond, 5*time.Second - 150*time.Millisecond},
		{300 * time.Millisecond, 5*time.Second - 350*time.Millisecond},
		{2 * time.Second, 5*time.Second - 2050*time.Millisecond},
		{9 * time.Second, 2500 * time.Millisecond},
	} {
		r := &Recorder{o: Options{MaxAge: 5 * time.Second}, up: &uploader{took: c.took}}
		if got := r.sealAfter(); got != c.want {
			t.Errorf("last commit %s: sealed after %s, want %s", c.took, got, c.want)
		}
	}
}
