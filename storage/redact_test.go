package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"s3 plain", "s3://bucket/etcd?region=eu-west-1", "s3://bucket/etcd?region=eu-west-1"},
		{"s3 unsigned payload is an option", "s3://bucket/etcd?unsigned_payload=true&sig=x", "s3://bucket/etcd?unsigned_payload=true&sig=REDACTED"},
		{"s3 access keys",
			"s3://bucket/etcd?region=eu-west-1&access_key_id=AKIAEXAMPLE&secret_access_key=s3cr3t%2Fx",
			"s3://bucket/etcd?region=eu-west-1&access_key_id=REDACTED&secret_access_key=REDACTED"},
		{"s3 presigned",
			"s3://b/p?X-Amz-Credential=AKIA%2F20240101&X-Amz-Security-Token=tok&X-Amz-Signature=abc&endpoint=http://minio:9000",
			"s3://b/p?X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED&endpoint=http://minio:9000"},
		{"azblob SAS",
			"azblob://container/etcd?sv=2022-11-02&ss=b&srt=co&sp=rwdl&se=2030-01-01T00:00:00Z&st=2024-01-01&spr=https&sig=abc%2Bdef%3D&domain=blob.core.windows.net",
			"azblob://container/etcd?sv=REDACTED&ss=REDACTED&srt=REDACTED&sp=REDACTED&se=REDACTED&st=REDACTED&spr=REDACTED&sig=REDACTED&domain=blob.core.windows.net"},
		{"user and password", "s3://user:hunter2@bucket/etcd", "s3://user:REDACTED@bucket/etcd"},
		{"user only", "s3://user@bucket/etcd", "s3://user@bucket/etcd"},
		{"password and token", "gs://u:p%40ss@bucket/x?token=t&x=1", "gs://u:REDACTED@bucket/x?token=REDACTED&x=1"},
		{"mixed case name", "gs://b?Private_Key_Path=/k.json&AUTH=x", "gs://b?Private_Key_Path=REDACTED&AUTH=REDACTED"},
		{"file", "file:///var/backups/etcd", "file:///var/backups/etcd"},
		{"gs with params kept in order", "gs://bucket/a/b?z=1&a=2", "gs://bucket/a/b?z=1&a=2"},
		{"unparsable", "s3://bucket/%zz?sig=secret", "(unparsable URL)"},
		{"nested user info", "s3://b/p?endpoint=http://user:hunter2@host:9000&region=x",
			"s3://b/p?endpoint=http://REDACTED@host:9000&region=x"},
		{"nested user name alone", "s3://b/p?endpoint=https://AKIAEXAMPLE@host", "s3://b/p?endpoint=https://REDACTED@host"},
		{"nested and encoded", "s3://b/p?endpoint=http%3A%2F%2Fuser%3Ahunter2%40host%3A9000",
			"s3://b/p?endpoint=http%3A%2F%2FREDACTED%40host%3A9000"},
		{"nested secret parameter", "s3://b?endpoint=https%3A%2F%2Fhost%2F%3Ftoken%3Dt0k%26a%3D1",
			"s3://b?endpoint=https%3A%2F%2Fhost%2F%3Ftoken%3DREDACTED%26a%3D1"},
		{"two levels deep", "gs://b?x=http%3A%2F%2Fh%2F%3Fy%3Dhttp%253A%252F%252Fu%253Ahunter2%2540h2",
			"gs://b?x=http%3A%2F%2Fh%2F%3Fy%3Dhttp%253A%252F%252FREDACTED%2540h2"},
		{"nested without a scheme", "s3://b?endpoint=user:hunter2@host:9000", "s3://b?endpoint=REDACTED@host:9000"},
		{"nested unparsable", "s3://b?endpoint=http://u:hunter2%zz@h&region=x", "s3://b?endpoint=REDACTED&region=x"},
		{"nested without secrets", "s3://b?endpoint=http://minio:9000/s3&region=x", "s3://b?endpoint=http://minio:9000/s3&region=x"},
		{"an ARN is no URL", "s3://b?role=arn:aws:iam::1:role/a@b", "s3://b?role=arn:aws:iam::1:role/a@b"},
		{"an e-mail is no URL", "gs://b?access_id=sa@p.iam.gserviceaccount.com", "gs://b?access_id=sa@p.iam.gserviceaccount.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Fatalf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	raw := "s3://b?region=x&secret_access_key=verysecretvalue&sp=r"
	cause := errors.New("inner")
	tests := []struct {
		name, msg, want string
	}{
		{"whole URL", "open bucket " + raw + ": bad", "open bucket s3://b?region=x&secret_access_key=REDACTED&sp=REDACTED: bad"},
		{"value alone", "rejected verysecretvalue", "rejected REDACTED"},
		{"short flag values kept", "region x read r", "region x read r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := scrub(errors.Join(errors.New(tc.msg), cause), raw)
			if got := err.Error(); !strings.HasPrefix(got, tc.want) {
				t.Fatalf("scrub = %q, want prefix %q", got, tc.want)
			}
			if !errors.Is(err, cause) {
				t.Fatalf("scrub lost the wrapped cause")
			}
		})
	}
}

// TestScrubNested hides the credentials of a URL nested in a parameter, in
// every form a driver prints it.
func TestScrubNested(t *testing.T) {
	raw := "s3://b?endpoint=http%3A%2F%2Fakia-user%3Ahunter2%40host%3A9000%2F%3Fsig%3Dsig-value-1&region=x"
	tests := []struct {
		name, msg, want string
	}{
		{"decoded", `endpoint http://akia-user:hunter2@host:9000/?sig=sig-value-1 refused`,
			"endpoint http://REDACTED@host:9000/?sig=REDACTED refused"},
		{"as net/http prints it", `Put "http://akia-user:***@host:9000/b/k": dial tcp`, `Put "http://REDACTED@host:9000/b/k": dial tcp`},
		{"the user alone", "user akia-user unknown", "user REDACTED unknown"},
		{"whole URL", "open " + raw, "open " + Redact(raw)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scrub(errors.New(tc.msg), raw).Error(); got != tc.want {
				t.Fatalf("scrub = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestScrubS3DialError: the S3 SDK prints the endpoint of a failed request
// with its user name; scrub hides it. openS3 is called directly, since Open
// refuses such an endpoint.
func TestScrubS3DialError(t *testing.T) {
	storagetest.SetAWSEnv(t, "AKIAEXAMPLE", "not-used-here")
	raw := fmt.Sprintf("s3://b?endpoint=http://akia-user:hunter2@127.0.0.1:%d&region=us-east-1&use_path_style=true",
		testgate.FreePort(t))
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := openS3(ctx, u, nil)
	if err != nil {
		t.Fatalf("openS3: %v", err)
	}
	defer b.Close()
	_, err = b.ReadAll(ctx, "k")
	if err == nil || !strings.Contains(err.Error(), "akia-user") {
		t.Fatalf("read from a closed port: %v; want an error that names the user", err)
	}
	if got := scrub(err, raw).Error(); strings.Contains(got, "akia-user") || strings.Contains(got, "hunter2") {
		t.Fatalf("scrubbed error still shows the credentials: %s", got)
	}
}

// TestAzureSASNotInErrors: with a SAS token in the environment, the Azure SDK sends it in the query
// of every request, and net/http quotes that URL when the connection fails; no error shows it.
func TestAzureSASNotInErrors(t *testing.T) {
	const sig = "c2VjcmV0LXNpZ25hdHVyZQ"
	storagetest.SetAzureEnv(t, "acct", "")
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", "sv=2022-11-02&sp=rwdl&sig="+sig+"%3D%3D")
	t.Setenv("AZURE_STORAGE_DOMAIN", fmt.Sprintf("127.0.0.1:%d", testgate.FreePort(t))) // nothing listens
	t.Setenv("AZURE_STORAGE_PROTOCOL", "http")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openStore(t, "azblob://c/etcd", Options{})
	r := Probe(ctx, s, "prod")
	_, listErr := s.List(ctx, "")
	for _, err := range []error{r.Err, listErr} {
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("error %v; want a refused connection", err)
		}
		if strings.Contains(err.Error(), sig) {
			t.Fatalf("error shows the SAS signature: %v", err)
		}
	}
}
