package storage

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestObjectLockMinIO writes with and without the lock to a MinIO bucket with object lock: a locked
// write is retained MinRetention from now, survives a delete (a delete marker hides it; deleting
// the version is refused), its retention extends, and CheckLock tells a bucket without lock apart.
func TestObjectLockMinIO(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	ctx := context.Background()
	lock := &Lock{Mode: LockGovernance, MinRetention: time.Hour}
	plain, err := Open(ctx, m.URL(m.NewBucket(t), "p"), Options{Lock: lock})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := CheckLock(ctx, plain); err == nil {
		t.Fatal("CheckLock passed a bucket without object lock")
	}
	bucket := m.NewLockedBucket(t)
	s, err := Open(ctx, m.URL(bucket, "p"), Options{Lock: lock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := CheckLock(ctx, s); err != nil {
		t.Fatalf("CheckLock: %v", err)
	}
	checkRetention(t, s)
	// A plain delete only hides the locked object behind a delete marker; its version stays and
	// cannot be deleted.
	if err := s.Delete(ctx, "locked"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	c := m.Client(t)
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: new("p/locked")})
	if err != nil || len(vs.Versions) != 1 {
		t.Fatalf("versions %+v, %v: want the locked one", vs, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: new("p/locked"),
		VersionId: vs.Versions[0].VersionId}); err == nil {
		t.Fatal("deleting the locked version succeeded")
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: new("p/locked"), VersionId: vs.Versions[0].VersionId})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, []byte("backup locked")) {
		t.Fatalf("locked version holds %q", got)
	}
}
