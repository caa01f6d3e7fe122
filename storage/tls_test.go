package storage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

const unknownCA = "certificate signed by unknown authority"

// checkCAFile probes url without and with the CA file: without it the error
// names the untrusted certificate, with it the store works.
func checkCAFile(t *testing.T, url, caFile string) {
	t.Run("without ca_file", func(t *testing.T) {
		r := Probe(context.Background(), openStore(t, url, Options{}), "prod")
		if r.Kind != KindTLS || !strings.Contains(r.Err.Error(), unknownCA) {
			t.Fatalf("Probe = %q, %v; want kind tls and %q", r.Kind, r.Err, unknownCA)
		}
	})
	t.Run("with ca_file", func(t *testing.T) {
		s := openStore(t, url, Options{CAFile: caFile})
		if r := Probe(context.Background(), s, "prod"); r.Err != nil {
			t.Fatalf("Probe: %v", r.Err)
		}
		put(t, s, "k", []byte("over TLS"))
		if got := string(get(t, s, "k")); got != "over TLS" {
			t.Fatalf("read %q, want %q", got, "over TLS")
		}
	})
}

func TestS3CAFile(t *testing.T) {
	tc := storagetest.NewTLS(t)
	m := storagetest.StartMinIO(t, tc)
	m.Env(t)
	checkCAFile(t, m.URL(m.NewBucket(t), "etcd"), tc.CAFile)
}

func TestAzureCAFile(t *testing.T) {
	tc := storagetest.NewTLS(t)
	a := storagetest.StartAzurite(t, tc)
	a.Env(t)
	checkCAFile(t, a.URL(a.NewContainer(t), "etcd"), tc.CAFile)
}

func TestOpenOptionsErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	s3url := "s3://b/etcd?region=us-east-1"
	tests := []struct {
		name, url string
		opts      Options
		want      string
	}{
		{"missing CA file", s3url, Options{CAFile: filepath.Join(dir, "none.pem")}, "read CA file"},
		{"CA file without PEM", s3url, Options{CAFile: notPEM}, "no PEM certificate"},
		{"CA file for file://", "file://" + dir, Options{CAFile: notPEM}, "does not apply to file://"},
		{"s3 part too small", s3url, Options{PartSize: 1 << 20}, "s3 takes 5242880 to"},
		{"azblob part too large", "azblob://c/x", Options{PartSize: 5000 << 20}, "azblob takes"},
		{"negative concurrency", s3url, Options{Concurrency: -1}, "upload concurrency -1"},
		{"negative timeout", s3url, Options{UploadTimeout: -1}, "upload timeout"},
		{"bad ssetype", s3url + "&ssetype=rot13", Options{}, `"ssetype": "rot13"`},
		{"kmskeyid alone", s3url + "&kmskeyid=k1", Options{}, "needs ssetype=aws:kms"},
		{"bad use_path_style", s3url + "&use_path_style=maybe", Options{}, `"use_path_style": "maybe" is not a boolean`},
		{"unknown s3 param", s3url + "&color=blue", Options{}, `unknown query parameter "color"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, tc.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open: nil error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}
