package storage

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

func TestSplitURL(t *testing.T) {
	tests := []struct {
		name, in, open, prefix, err string
	}{
		{"s3 path", "s3://bucket/a/b?region=x", "s3://bucket?region=x", "a/b/", ""},
		{"s3 trailing slash", "s3://bucket/a/b/?region=x&use_path_style=true", "s3://bucket?region=x&use_path_style=true", "a/b/", ""},
		{"s3 no path", "s3://bucket?region=x", "s3://bucket?region=x", "", ""},
		{"s3 root path", "s3://bucket/", "s3://bucket", "", ""},
		{"gs", "gs://bkt/etcd/prod", "gs://bkt", "etcd/prod/", ""},
		{"azblob", "azblob://container/etcd?domain=x&protocol=http", "azblob://container?domain=x&protocol=http", "etcd/", ""},
		{"endpoint kept", "s3://b/p?endpoint=http%3A%2F%2F127.0.0.1%3A9000", "s3://b?endpoint=http%3A%2F%2F127.0.0.1%3A9000", "p/", ""},
		{"no bucket", "s3:///a/b", "", "", "missing bucket name"},
		{"dot dot", "s3://b/a/../c", "", "", `invalid path element ".."`},
		{"empty element", "s3://b/a//c", "", "", `invalid path element ""`},
		{"prefix param", "s3://b?prefix=x/", "", "", `"prefix" is not supported`},
		{"key param", "gs://b?key=x", "", "", `"key" is not supported`},
		{"credentials", "s3://id:secret@b/p", "", "", "credentials in the URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open, prefix, err := splitURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("splitURL(%q) error = %v, want one containing %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("splitURL(%q): %v", tc.in, err)
			}
			if open != tc.open || prefix != tc.prefix {
				t.Fatalf("splitURL(%q) = %q, %q; want %q, %q", tc.in, open, prefix, tc.open, tc.prefix)
			}
		})
	}
}

func TestSchemes(t *testing.T) {
	want := []string{"azblob", "file", "gs", "s3"}
	if got := Schemes(); !slices.Equal(got, want) {
		t.Fatalf("Schemes() = %q, want %q", got, want)
	}
}

func TestOpenUnsupportedScheme(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"http", "http://example.com/backups?sig=topsecret", `unsupported scheme "http" (supported: azblob, file, gs, s3)`},
		{"no scheme", "/var/backups/etcd", "missing scheme (supported: azblob, file, gs, s3; use file:///path"},
		{"bad URL", "s3://b/%zz?sig=topsecret", "parse destination URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q): nil error, want one", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%q) error %q does not contain %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Fatalf("Open(%q) error %q leaks a secret", tc.url, err)
			}
		})
	}
}

// TestOpenRefusesBadURLs: Open refuses, without echoing a secret, what it
// used to open and then fail on or print: credentials nested in a parameter
// (against a real MinIO, which would have served them), a port out of
// range, a parameter given twice, control characters in a path.
func TestOpenRefusesBadURLs(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	host := strings.TrimPrefix(m.Endpoint, "http://")
	withEndpoint := func(ep string) string {
		return strings.Replace(m.URL(bucket, "etcd"), "endpoint="+m.Endpoint, "endpoint="+ep, 1)
	}
	dir := t.TempDir()
	tests := []struct {
		name, url, want string
	}{
		{"nested credentials", withEndpoint("http://user:hunter2@" + host), "credentials do not belong in the URL"},
		{"nested secret parameter", withEndpoint(url.QueryEscape("http://" + host + "/?sig=hunter2")), `secret parameter "sig"`},
		{"port out of range", withEndpoint("http://127.0.0.1:70000"), "port 70000 out of range"},
		{"parameter twice", m.URL(bucket, "etcd") + "&region=elsewhere", `"region" is given more than once`},
		{"bucket path newline", m.URL(bucket, "etcd%0Aprod"), "control characters"},
		{"file path newline", "file://" + dir + "/a%0Ab", "control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, Options{})
			if err == nil {
				t.Fatalf("Open(%s) succeeded as %s; want an error containing %q", Redact(tc.url), s, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("Open error %q shows a secret", err)
			}
		})
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("file:// with a newline created %v (%v)", entries, err)
	}
}
