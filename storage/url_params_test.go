package storage

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob/azureblob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

func TestCheckURL(t *testing.T) {
	key := filepath.Join(t.TempDir(), "sa.pem")
	if err := os.WriteFile(key, []byte("not read"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, err string // err "" means valid
	}{
		{"minio", "s3://b/etcd?endpoint=https://minio.internal:9000&use_path_style=true&region=us-east-1", ""},
		{"every aws parameter", "s3://b?region=r&profile=p&endpoint=http://h:1&hostname_immutable=true&dualstack=false" +
			"&fips=0&anonymous=false&rate_limiter_capacity=10&role=arn:aws:iam::1:role/r" +
			"&request_checksum_calculation=WHEN_REQUIRED&response_checksum_validation=when_supported&awssdk=v2", ""},
		{"every s3 parameter", "s3://b?ssetype=aws:kms&kmskeyid=k&accelerate=false&disable_https=true" +
			"&use_path_style=1&s3ForcePathStyle=true&unsigned_payload=true", ""},
		{"every gs parameter", "gs://b?access_id=sa@p.iam.gserviceaccount.com&private_key_path=" + key +
			"&anonymous=false&universe_domain=example.com&grpc=false&zonal=false", ""},
		{"every azblob parameter", "azblob://c?domain=127.0.0.1:10000&protocol=http&cdn=false&localemu=true&storage_account=a", ""},
		{"file", "file:///var/backups/etcd", ""},
		{"endpoint port too high", "s3://b?endpoint=http://minio:70000", `query parameter "endpoint": port 70000 out of range`},
		{"endpoint port zero", "s3://b?endpoint=http://minio:0", `query parameter "endpoint": port 0 out of range`},
		{"endpoint port not a number", "s3://b?endpoint=http://minio:x1", `query parameter "endpoint": not a valid URL`},
		{"endpoint without scheme", "s3://b?endpoint=minio:9000", `query parameter "endpoint": want an http(s)://host[:port] URL`},
		{"endpoint without host", "s3://b?endpoint=https:///x", `query parameter "endpoint": no host`},
		{"endpoint credentials", "s3://b?endpoint=http://user:hunter2@minio:9000", `query parameter "endpoint": credentials do not belong in the URL`},
		{"endpoint user without scheme", "s3://b?endpoint=user:hunter2@minio:9000", `query parameter "endpoint": credentials do not belong`},
		{"endpoint secret parameter", "s3://b?endpoint=https%3A%2F%2Fminio%2F%3FX-Amz-Signature%3Dhunter2", `query parameter "endpoint": secret parameter "X-Amz-Signature"`},
		{"credentials two levels deep", "gs://b?universe_domain=http%3A%2F%2Fh%2F%3Fy%3Dhttp%253A%252F%252Fu%253Ahunter2%2540h2",
			`query parameter "universe_domain": parameter "y": credentials do not belong`},
		{"nested URL unparsable", "s3://b?region=http://u:hunter2%25zz@h", `query parameter "region": not a valid URL`},
		{"parameter twice", "s3://b?region=a&region=b", `query parameter "region" is given more than once`},
		{"unknown aws parameter", "s3://b?colour=blue", `unknown query parameter "colour"`},
		{"aws secret parameter", "s3://b?aws_secret_access_key=hunter2", `unknown query parameter "aws_secret_access_key"`},
		{"dualstack", "s3://b?dualstack=maybe", `query parameter "dualstack": "maybe" is not a boolean`},
		{"rate limiter", "s3://b?rate_limiter_capacity=9999999999", `query parameter "rate_limiter_capacity": "9999999999" is not a 32-bit integer`},
		{"role", "s3://b?role=admin", `query parameter "role": not an ARN`},
		{"checksum mode", "s3://b?request_checksum_calculation=always", `query parameter "request_checksum_calculation": "always"`},
		{"ssetype", "s3://b?ssetype=rot13", `"ssetype": "rot13" is not one of`},
		{"gs unknown", "gs://b?endpoint=http://h:1", `unknown query parameter "endpoint"`},
		{"gs grpc", "gs://b?grpc=maybe", `query parameter "grpc": "maybe" is not a boolean`},
		{"gs key missing", "gs://b?private_key_path=" + key + ".missing", `query parameter "private_key_path": no such file or directory`},
		{"azblob protocol", "azblob://c?protocol=ftp", `query parameter "protocol": "ftp": use http or https`},
		{"azblob cdn", "azblob://c?cdn=maybe", `query parameter "cdn": "maybe" is not a boolean`},
		{"azblob sas token", "azblob://c?sig=hunter2", `unknown query parameter "sig"`},
		{"file query", "file:///var/b?x=1", `unknown query parameter "x": file URLs take none`},
		{"file newline", "file:///var/a%0Ab", "control characters"},
		{"file NUL", "file:///var/a%00b", "control characters"},
		{"bucket path newline", "s3://b/etcd%0Aprod", "control characters"},
		{"scheme", "ftp://h/x", `unsupported scheme "ftp"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckURL(tc.url)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("CheckURL(%q) = %v, want nil", tc.url, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("CheckURL(%q) = %v, want an error containing %q", tc.url, err, tc.err)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Fatalf("CheckURL(%q) = %v: the error shows a secret", tc.url, err)
			}
		})
	}
}

// TestParamsAgreeWithGocloud: what gocloud's URL openers refuse, checkParams
// refuses; what checkParams accepts, they accept. checkParams refuses more
// only where marked: values gocloud takes and the first request fails on.
func TestParamsAgreeWithGocloud(t *testing.T) {
	storagetest.SetAWSEnv(t, "AKIAEXAMPLE", "not-used-here")
	awsConfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(awsConfig, []byte("[profile backup]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", awsConfig) // profile= names a profile that exists
	tests := []struct {
		scheme, query string
		stricter      bool
	}{
		{"s3", "region=eu-west-1&profile=backup&endpoint=http://h:9000", false},
		{"s3", "hostname_immutable=true&dualstack=true&fips=false&anonymous=true&rate_limiter_capacity=5", false},
		{"s3", "role=arn:aws:iam::1:role/r&region=eu-west-1", false},
		{"s3", "request_checksum_calculation=when_supported&response_checksum_validation=WHEN_REQUIRED&awssdk=v2", false},
		{"s3", "hostname_immutable=yes", false},
		{"s3", "dualstack=2", false},
		{"s3", "fips=on", false},
		{"s3", "anonymous=anon", false},
		{"s3", "rate_limiter_capacity=1.5", false},
		{"s3", "role=r", false},
		{"s3", "request_checksum_calculation=never", false},
		{"s3", "response_checksum_validation=", false},
		{"s3", "colour=blue", false},
		{"s3", "endpoint=http://h:70000", true},
		{"s3", "endpoint=h:9000", true},
		{"s3", "endpoint=http://u:p@h:9000", true},
		{"s3", "region=a&region=b", true},
		{"gs", "access_id=sa@p.iam.gserviceaccount.com&anonymous=true&universe_domain=x&grpc=false&zonal=false", false},
		{"gs", "anonymous=maybe", false},
		{"gs", "grpc=maybe", false},
		{"gs", "zonal=maybe", false},
		{"gs", "private_key_path=/nonexistent/key.pem", false},
		{"gs", "region=x", false},
		{"azblob", "domain=127.0.0.1:10000&protocol=http&cdn=false&localemu=true&storage_account=a", false},
		{"azblob", "protocol=ftp", false},
		{"azblob", "cdn=maybe", false},
		{"azblob", "localemu=maybe", false},
		{"azblob", "storage_account=a&storage_account=b", false},
		{"azblob", "endpoint=x", false},
	}
	for _, tc := range tests {
		t.Run(tc.scheme+"?"+tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			ours := checkParams(tc.scheme, q)
			theirs := gocloudParams(t, tc.scheme, q)
			switch {
			case theirs != nil && ours == nil:
				t.Fatalf("gocloud refuses (%v), checkParams accepts", theirs)
			case ours != nil && theirs == nil && !tc.stricter:
				t.Fatalf("checkParams refuses (%v), gocloud accepts", ours)
			case tc.stricter && ours == nil:
				t.Fatalf("checkParams accepts; want it to refuse what the first request would fail on")
			}
		})
	}
}

// gocloudParams runs the parameter parsing of gocloud's opener for scheme,
// without a network: the S3 AWS config (after our own s3Params), the GCS and
// Azure URL openers with clients that make no request.
func gocloudParams(t *testing.T, scheme string, q url.Values) error {
	t.Helper()
	ctx := context.Background()
	u := &url.URL{Scheme: scheme, Host: "b", RawQuery: q.Encode()}
	switch scheme {
	case "s3":
		rest := url.Values{}
		for k, v := range q {
			rest[k] = v
		}
		if _, _, err := s3Params(rest); err != nil {
			return err
		}
		_, err := gcaws.V2ConfigFromURLParams(ctx, rest)
		return err
	case "gs":
		o := &gcsblob.URLOpener{Client: gcp.NewAnonymousHTTPClient(gcp.DefaultTransport())}
		b, err := o.OpenBucketURL(ctx, u)
		if err == nil {
			b.Close()
		}
		return err
	}
	o := &azureblob.URLOpener{
		MakeClient: func(svc azureblob.ServiceURL, name azureblob.ContainerName) (*container.Client, error) {
			return container.NewClientWithNoCredential(string(svc)+"/"+string(name), nil)
		},
		ServiceURLOptions: azureblob.ServiceURLOptions{AccountName: "acct"},
	}
	b, err := o.OpenBucketURL(ctx, u)
	if err == nil {
		b.Close()
	}
	return err
}
