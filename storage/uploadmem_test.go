package storage

import (
	"context"
	"testing"

	"gocloud.dev/blob/memblob"
)

func TestUploadMemory(t *testing.T) {
	s := newBlobStore(memblob.OpenBucket(nil), "s3", "b", "", "s3://b", nil)
	if got := UploadMemory(s); got != 3*5*mib*5/2 {
		t.Fatalf("s3 defaults: %d, want 1.5 x 5 MiB x (4 in flight + 1)", got)
	}
	s.upload = uploadConfig{partSize: 5 * mib, concurrency: 2}
	if got := UploadMemory(s); got != 3*5*mib*3/2 {
		t.Fatalf("s3 5 MiB x 2: %d", got)
	}
	gs := newBlobStore(memblob.OpenBucket(nil), "gs", "b", "", "gs://b", nil)
	if got := UploadMemory(gs); got != 3*8*mib/2 {
		t.Fatalf("gs: %d, want 1.5 x one 8 MiB chunk", got)
	}
	f, err := Open(context.Background(), "file://"+t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := UploadMemory(f); got != 0 {
		t.Fatalf("file: %d", got)
	}
}

// TestUploadInFlight: an upload sends as many parts at once as UploadMemory counts, the scheme's
// default passed to the driver rather than the driver's own (5 for S3 and Azure).
func TestUploadInFlight(t *testing.T) {
	for _, c := range []struct {
		scheme      string
		concurrency int
		want        int
	}{{"s3", 0, 4}, {"azblob", 0, 4}, {"s3", 2, 2}, {"gs", 0, 0}} {
		s := newBlobStore(memblob.OpenBucket(nil), c.scheme, "b", "", c.scheme+"://b", nil)
		s.upload.concurrency = c.concurrency
		if got := s.writerOptions("k", WriteOptions{}).MaxConcurrency; got != c.want {
			t.Errorf("%s, concurrency %d: %d parts in flight, want %d", c.scheme, c.concurrency, got, c.want)
		}
	}
}
