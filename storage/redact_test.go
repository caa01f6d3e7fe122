package storage

import (
	"errors"
	"strings"
	"testing"
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
