package journal

import (
	"testing"
	"time"
)

// TestSealAfterLeavesTimeForTheCommit: a segment is sealed early by the time the last commit took,
// so that it is committed within MaxAge of its first revision; never before half of MaxAge.
func TestSealAfterLeavesTimeForTheCommit(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{0, 5 * time.Second},
		{40 * time.Millisecond, 5*time.Second - 40*time.Millisecond},
		{2 * time.Second, 3 * time.Second},
		{9 * time.Second, 2500 * time.Millisecond},
	} {
		r := &Recorder{o: Options{MaxAge: 5 * time.Second}, up: &uploader{took: c.took}}
		if got := r.sealAfter(); got != c.want {
			t.Errorf("last commit %s: sealed after %s, want %s", c.took, got, c.want)
		}
	}
}
