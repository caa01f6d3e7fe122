package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestMinIORestricted checks that MinIO enforces the session policy of Restricted's credentials,
// which the least-privilege tests rely on: a put-only policy lets them write and read, and not
// delete.
func TestMinIORestricted(t *testing.T) {
	m := StartMinIO(t, nil)
	bucket := m.NewBucket(t)
	policy := fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": ["arn:aws:s3:::%[1]s/*"]},
		{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::%[1]s"]}]}`, bucket)
	cr := m.Restricted(t, policy)
	c := s3.New(s3.Options{
		Region: Region, BaseEndpoint: aws.String(m.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(cr.AccessKey, cr.SecretKey, cr.SessionToken),
	})
	ctx := context.Background()
	key := aws.String("a/b")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key, Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("put with a put-only policy: %v", err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket}); err != nil {
		t.Fatalf("list with a put-only policy: %v", err)
	}
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: key})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("delete with a put-only policy: %v, want AccessDenied", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket + "-other")}); err == nil {
		t.Fatalf("create bucket with a put-only policy succeeded")
	}
}
