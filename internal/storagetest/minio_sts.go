package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Credentials are temporary S3 credentials.
type Credentials struct {
	AccessKey, SecretKey, SessionToken string
}

// Env puts the credentials in the AWS environment of the test, as SetAWSEnv does, with the
// session token.
func (c Credentials) Env(t testing.TB) {
	SetAWSEnv(t, c.AccessKey, c.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", c.SessionToken)
}

// Restricted returns credentials that may do only what policy (an IAM policy document) allows:
// MinIO's STS AssumeRole, called with the root credentials and policy as the session policy.
// MinIO evaluates a session policy even for credentials derived from the root user, so these are
// as narrow as a user given that policy.
func (m *MinIO) Restricted(t testing.TB, policy string) Credentials {
	t.Helper()
	c := sts.New(sts.Options{
		Region:       Region,
		BaseEndpoint: aws.String(m.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
		HTTPClient:   m.HTTPClient(t),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:minio:iam:::role/etcd-backupd-test"), // ignored by MinIO
		RoleSessionName: aws.String("etcd-backupd-test"),
		Policy:          aws.String(policy),
		DurationSeconds: aws.Int32(3600),
	}
	out, err := c.AssumeRole(ctx, in)
	// MinIO answers S3 before its IAM subsystem is up: "Server not initialized, please try again".
	for err != nil && strings.Contains(err.Error(), "not initialized") && ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		out, err = c.AssumeRole(ctx, in)
	}
	if err != nil {
		t.Fatalf("MinIO AssumeRole with a session policy: %v", err)
	}
	cr := out.Credentials
	return Credentials{AccessKey: aws.ToString(cr.AccessKeyId), SecretKey: aws.ToString(cr.SecretAccessKey),
		SessionToken: aws.ToString(cr.SessionToken)}
}
