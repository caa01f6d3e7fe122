package journal

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestUploaderTakenNotRetried hands the uploader a segment whose name is taken at one destination
// by a manifest that cannot be read: the upload fails at once (ErrTaken, one attempt, whatever
// Retries says), naming the segment; the other destination commits it.
func TestUploaderTakenNotRetried(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	free, _ := dirJournal(t, "test")
	taken, dir := dirJournal(t, "test")
	theirs := seqRevisions(5, 9, t0, time.Second)
	theirs[0].Events[0].Kv.Value = []byte("the other writer's")
	commitRevisions(t, taken, plainEncoding, theirs)
	// A damaged manifest under the name: nothing tells whose these revisions are.
	writeFile(t, filepath.Join(dir, taken.Layout.ManifestKey(Name(5, 9))), []byte("{damaged"))
	counting := &faultStore{Store: taken.Store}
	o := &Options{Retries: 3, Backoff: 10 * time.Millisecond}
	o.defaults()
	upCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	u := newUploader(upCtx, []*Journal{free, New(counting, "test")}, o)
	s := buildSealed(t, "test", plainEncoding, "", seqRevisions(5, 9, t0, time.Second))
	if err := u.put(ctx, s); err != nil {
		t.Fatal(err)
	}
	u.close(10*time.Second, cancel)
	var err error
	select {
	case err = <-u.failed:
	default:
		t.Fatal("the upload of a taken segment did not fail")
	}
	var ue *UploadError
	if !errors.As(err, &ue) || ue.Segment != s.m.Name || !errors.Is(err, catalog.ErrTaken) {
		t.Fatalf("error %v; want an *UploadError for %s wrapping catalog.ErrTaken", err, s.m.Name)
	}
	if n := counting.attempts(s.m.Object.Key); n != 1 {
		t.Fatalf("%d attempts at a taken name, want 1", n)
	}
	if got := readAll(t, free, nil); len(got) != 5 || string(got[0].Events[0].Kv.Value) != "value of revision 000005" {
		t.Fatalf("the free destination holds %d revisions", len(got))
	}
	if got := readFile(t, filepath.Join(dir, taken.Layout.ManifestKey(Name(5, 9)))); string(got) != "{damaged" {
		t.Fatalf("the manifest there was overwritten: %q", got)
	}
}
