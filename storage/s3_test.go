package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestS3PartSize uploads 40 MiB objects and reads the part count from the
// multipart ETag ("<md5>-<parts>").
func TestS3PartSize(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	const size = 40 << 20
	tests := []struct {
		name  string
		opts  Options
		hint  int64
		parts string
	}{
		{"default 5 MiB", Options{}, 0, "-8"},
		{"part_size 8 MiB", Options{PartSize: 8 << 20, Concurrency: 2}, 0, "-5"},
		{"hint of 160 GiB grows parts to 33 MiB", Options{}, 160 << 30, "-2"},
		{"small hint keeps part_size", Options{PartSize: 8 << 20}, size, "-5"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := "parts/" + string(rune('a'+i))
			s := openStore(t, m.URL(bucket, path), tc.opts)
			want := putStream(t, s, "obj", genReader(uint64(i), size), WriteOptions{SizeHint: tc.hint})
			if n, got := sumObject(t, s, "obj"); n != size || got != want {
				t.Fatalf("read back %d bytes, sha256 %x; want %d, %x", n, got, size, want)
			}
			key := path + "/obj"
			head, err := m.Client(t).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if etag := strings.Trim(*head.ETag, `"`); !strings.HasSuffix(etag, tc.parts) {
				t.Fatalf("ETag %s, want a multipart ETag ending in %s", etag, tc.parts)
			}
		})
	}
}

// startUpload begins a multipart upload with one part and leaves it.
func startUpload(t *testing.T, m *storagetest.MinIO, bucket, key string) {
	t.Helper()
	ctx := context.Background()
	c := m.Client(t)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("CreateMultipartUpload(%s): %v", key, err)
	}
	part := int32(1)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: &bucket, Key: &key, UploadId: up.UploadId, PartNumber: &part,
		Body: strings.NewReader(strings.Repeat("x", 1024)),
	})
	if err != nil {
		t.Fatalf("UploadPart(%s): %v", key, err)
	}
}

// pendingUploads lists the keys of the bucket's incomplete uploads.
func pendingUploads(t *testing.T, m *storagetest.MinIO, bucket string) []string {
	t.Helper()
	empty := ""
	out, err := m.Client(t).ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &bucket, Prefix: &empty})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, *u.Key)
	}
	return keys
}

// TestS3CancelLeavesNoUpload cancels a multipart upload: no object and no
// incomplete upload remain, without a sweep.
func TestS3CancelLeavesNoUpload(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	s := openStore(t, m.URL(bucket, "etcd"), Options{PartSize: 5 << 20})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.NewWriter(ctx, "c/snapshots/x.db")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write(make([]byte, 30<<20)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	cancel()
	if err := w.Commit(); err == nil {
		t.Fatalf("Commit after cancel: nil error, want one")
	}
	wantMissing(t, s, "c/snapshots/x.db")
	if got := pendingUploads(t, m, bucket); len(got) != 0 {
		t.Fatalf("incomplete uploads after cancel = %q, want none", got)
	}
}

// TestS3PendingWrites checks the hooks the retention sweeper uses on S3: list the unfinished
// uploads under a prefix, then abort those of one key started before a time.
func TestS3PendingWrites(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	s := openStore(t, m.URL(bucket, "etcd"), Options{}).(*blobStore)
	for _, key := range []string{"etcd/c1/snapshots/a.db", "etcd/c1/snapshots/b.db", "elsewhere/y.db"} {
		startUpload(t, m, bucket, key)
	}
	ctx := context.Background()
	pending, err := s.ListPending(ctx, "c1/snapshots/")
	if err != nil || len(pending) != 2 || pending[0].Key != "c1/snapshots/a.db" || pending[0].ModTime.IsZero() {
		t.Fatalf("ListPending = %+v, %v", pending, err)
	}
	if err := s.AbortPending(ctx, "c1/snapshots/a.db", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := pendingUploads(t, m, bucket); len(got) != 3 {
		t.Fatalf("an upload younger than the cutoff was aborted: left %q", got)
	}
	if err := s.AbortPending(ctx, "c1/snapshots/a.db", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := pendingUploads(t, m, bucket); len(got) != 2 {
		t.Fatalf("uploads left %q, want b.db and y.db", got)
	}
}
