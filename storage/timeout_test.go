package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestUploadTimeout: an upload still open after UploadTimeout fails at
// Commit and leaves nothing; one that finishes in time commits.
func TestUploadTimeout(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	urls := map[string]string{"file": "file://" + t.TempDir(), "s3": m.URL(bucket, "etcd")}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, url, Options{UploadTimeout: 300 * time.Millisecond})
			put(t, s, "fast", []byte("in time"))
			w, err := s.NewWriter(context.Background(), "slow")
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			if _, err := w.Write([]byte("late")); err != nil {
				t.Fatalf("Write: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
			err = w.Commit()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Commit after the timeout = %v, want context.DeadlineExceeded", err)
			}
			wantMissing(t, s, "slow")
			if got := string(get(t, s, "fast")); got != "in time" {
				t.Fatalf("read %q, want %q", got, "in time")
			}
		})
	}
}
