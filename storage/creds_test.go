package storage

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// wrongCredential writes an object of size bytes with a wrong credential
// and returns the error, checking that it is an auth error and that neither
// it nor any log line holds secret.
func wrongCredential(t *testing.T, url, secret string, size int) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	s := openStore(t, url, Options{Logger: zap.New(core)})
	w, err := s.NewWriter(context.Background(), "prod/snapshots/x.db")
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	_, err = w.Write(make([]byte, size))
	if err == nil {
		err = w.Commit()
	}
	w.Abort()
	if err == nil {
		t.Fatalf("upload with a wrong credential: nil error, want one")
	}
	if Classify(err) != KindAuth || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("error %q (kind %q), want an auth error that says so", err, Classify(err))
	}
	var ke *KindError
	if !errors.As(err, &ke) {
		t.Fatalf("error %q does not wrap *KindError", err)
	}
	for _, e := range logs.All() {
		if line := fmt.Sprint(e.Message, e.ContextMap()); strings.Contains(line, secret) {
			t.Fatalf("log line holds the secret: %s", line)
		}
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error holds the secret: %s", err)
	}
	if _, err := s.List(context.Background(), ""); Classify(err) != KindAuth {
		t.Fatalf("List error %v (kind %q), want an auth error", err, Classify(err))
	}
}

func TestWrongCredentials(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	bucket := m.NewBucket(t)
	a := storagetest.StartAzurite(t, nil)
	container := a.NewContainer(t)
	tests := []struct {
		name   string
		size   int
		secret string
		env    func(t *testing.T, secret string)
		url    string
	}{
		{"s3 small", 100, "wrong-secret-4f1c9e", func(t *testing.T, s string) { storagetest.SetAWSEnv(t, m.AccessKey, s) }, m.URL(bucket, "etcd")},
		{"s3 multipart", 40 << 20, "wrong-secret-77ab02", func(t *testing.T, s string) { storagetest.SetAWSEnv(t, m.AccessKey, s) }, m.URL(bucket, "etcd")},
		{"azblob", 100, base64.StdEncoding.EncodeToString([]byte("wrong-key-1234")), func(t *testing.T, s string) {
			storagetest.SetAzureEnv(t, a.Account, s)
		}, a.URL(container, "etcd")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.env(t, tc.secret)
			wrongCredential(t, tc.url, tc.secret, tc.size)
		})
	}
}

// TestAzureSASEndpoint: with a SAS token in the environment, no URL
// parameter may move the endpoint the token is sent to.
func TestAzureSASEndpoint(t *testing.T) {
	storagetest.SetAzureEnv(t, "acct", "")
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", "sv=2022-11-02&sig=c2VjcmV0LXNpZw%3D%3D")
	for _, url := range []string{"azblob://c/etcd?domain=elsewhere.example", "azblob://c/etcd?storage_account=other"} {
		s, err := Open(context.Background(), url, Options{})
		if err == nil {
			s.Close()
			t.Fatalf("Open(%s): nil error, want a refusal", url)
		}
		if !strings.Contains(err.Error(), "with AZURE_STORAGE_SAS_TOKEN the endpoint comes from the environment") {
			t.Fatalf("Open(%s) error %q, want the SAS endpoint refusal", url, err)
		}
	}
	s := openStore(t, "azblob://c/etcd", Options{})
	if got := s.String(); got != "azblob://c/etcd" {
		t.Fatalf("String() = %q", got)
	}
}
