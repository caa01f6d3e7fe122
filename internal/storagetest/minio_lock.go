package storagetest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// NewLockedBucket creates a bucket with object lock enabled (and so versioning), with a unique name.
func (m *MinIO) NewLockedBucket(t testing.TB) string {
	t.Helper()
	name := "locked-" + Random(t, 6)
	_, err := m.Client(t).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name,
		ObjectLockEnabledForBucket: new(true)})
	if err != nil {
		t.Fatalf("create bucket %s with object lock: %v", name, err)
	}
	return name
}
