package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"
	"gocloud.dev/blob/fileblob"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestS3UnreachableErrors opens a real s3 store against a closed port: the
// failed upload surfaces at Commit, wrapped with the key and redacted URL.
func TestS3UnreachableErrors(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test-secret",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             "/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		t.Setenv(k, v)
	}
	raw := "s3://bucket/etcd/prod?region=us-east-1&use_path_style=true&endpoint=http://" + closedPort(t)
	ctx := context.Background()
	s, err := Open(ctx, raw, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if s.String() != raw {
		t.Fatalf("String() = %q, want %q", s.String(), raw)
	}
	w, err := s.NewWriter(ctx, "k.json")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write([]byte("{}")); err != nil {
		t.Fatalf("Write: %v (a small write is buffered, errors come at Commit)", err)
	}
	err = w.Commit()
	if err == nil || !strings.HasPrefix(err.Error(), "upload k.json to "+raw+": ") {
		t.Fatalf("Commit error = %v, want it to start with %q", err, "upload k.json to "+raw)
	}
	w.Abort()
	if _, err := s.NewReader(ctx, "k.json"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("NewReader error = %v, want a connection error", err)
	}
}

// TestBlobStoreConformance runs the suite over gocloud's own file driver, so
// that the gocloud code path (prefix, NotFound, cancel-then-close aborts)
// runs without a cloud.
func TestBlobStoreConformance(t *testing.T) {
	root := t.TempDir()
	n := 0
	runConformance(t, func(t *testing.T) Store {
		n++
		b, err := fileblob.OpenBucket(root, &fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			t.Fatalf("open fileblob bucket: %v", err)
		}
		prefix := fmt.Sprintf("store-%d/etcd/", n)
		s := newBlobStore(b, "file", "", prefix, "gocloud-file://"+root+"/"+prefix, zaptest.NewLogger(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}
