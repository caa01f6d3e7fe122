package storagetest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// Region is the region the S3 test servers answer for.
const Region = "us-east-1"

// MinIO is a running MinIO server with one data dir.
type MinIO struct {
	Endpoint  string // http(s)://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	TLS       *TLS // nil for plain HTTP
	*proc
}

// StartMinIO starts MinIO with random root credentials, over TLS when tc is
// not nil, and waits until it is ready.
func StartMinIO(t testing.TB, tc *TLS) *MinIO {
	t.Helper()
	bin := testgate.Require(t, "minio")
	dir := t.TempDir()
	port := FreePort(t)
	m := &MinIO{
		Endpoint:  "http://127.0.0.1:" + strconv.Itoa(port),
		AccessKey: "ak" + Random(t, 8),
		SecretKey: "sk" + Random(t, 16),
		TLS:       tc,
	}
	certs := filepath.Join(dir, "certs")
	if tc != nil {
		m.Endpoint = "https://127.0.0.1:" + strconv.Itoa(port)
		copyFile(t, tc.CertFile, filepath.Join(certs, "public.crt"))
		copyFile(t, tc.KeyFile, filepath.Join(certs, "private.key"))
	}
	args := []string{"server", "--quiet", "--address", "127.0.0.1:" + strconv.Itoa(port),
		"--certs-dir", certs, filepath.Join(dir, "data")}
	env := []string{"MINIO_ROOT_USER=" + m.AccessKey, "MINIO_ROOT_PASSWORD=" + m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "HOME=" + dir}
	m.proc = newProc(t, "minio", bin, dir, args, env)
	m.Start(t)
	return m
}

// Start starts a stopped server again, on the same port and data, and waits
// until it is ready.
func (m *MinIO) Start(t testing.TB) {
	t.Helper()
	m.proc.Start(t)
	hc := m.HTTPClient(t)
	m.waitReady(t, func() error {
		resp, err := hc.Get(m.Endpoint + "/minio/health/ready")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health: %s", resp.Status)
		}
		return nil
	})
}

// HTTPClient returns a client that trusts the server's CA, if any.
func (m *MinIO) HTTPClient(t testing.TB) *http.Client {
	if m.TLS == nil {
		return &http.Client{}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: m.TLS.Pool(t)}
	return &http.Client{Transport: tr}
}

// Client returns an S3 client with the root credentials.
func (m *MinIO) Client(t testing.TB) *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(m.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
		HTTPClient:   m.HTTPClient(t),
	})
}

// NewBucket creates a bucket with a unique name.
func (m *MinIO) NewBucket(t testing.TB) string {
	t.Helper()
	name := "test-" + Random(t, 6)
	if _, err := m.Client(t).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// URL is the s3:// destination URL of path in bucket on this server.
func (m *MinIO) URL(bucket, path string) string {
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&use_path_style=true&region=%s", bucket, path, m.Endpoint, Region)
}

// Env puts the root credentials in the AWS environment of the test, and
// keeps shared files and the instance metadata service out of the chain.
func (m *MinIO) Env(t testing.TB) {
	SetAWSEnv(t, m.AccessKey, m.SecretKey)
}

// SetAWSEnv sets static AWS credentials for the test and nothing else.
func SetAWSEnv(t testing.TB, accessKey, secretKey string) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           accessKey,
		"AWS_SECRET_ACCESS_KEY":       secretKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_PROFILE":                 "",
	} {
		t.Setenv(k, v)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("read %s: %v", from, err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatalf("create %s: %v", filepath.Dir(to), err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", to, err)
	}
}
