package storagetest

import (
	"context"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestMinIORestart stops MinIO, which then refuses connections, and starts
// it again on the same port with its buckets.
func TestMinIORestart(t *testing.T) {
	for _, name := range []string{"http", "https"} {
		t.Run(name, func(t *testing.T) {
			var tc *TLS
			if name == "https" {
				tc = NewTLS(t)
			}
			m := StartMinIO(t, tc)
			bucket := m.NewBucket(t)
			m.Stop(t)
			addr := m.Endpoint[len(name+"://"):]
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				t.Fatalf("stopped MinIO still accepts connections on %s", addr)
			}
			m.Start(t)
			if _, err := m.Client(t).HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
				t.Fatalf("bucket %s after restart: %v", bucket, err)
			}
		})
	}
}

// TestServersStart starts fake-gcs-server and Azurite and makes a bucket
// and a container on each.
func TestServersStart(t *testing.T) {
	g := StartFakeGCS(t)
	if b := g.NewBucket(t); b == "" {
		t.Fatalf("NewBucket returned an empty name")
	}
	a := StartAzurite(t, nil)
	if c := a.NewContainer(t); c == "" {
		t.Fatalf("NewContainer returned an empty name")
	}
	if a.Account == "devstoreaccount1" || len(a.Key) < 40 {
		t.Fatalf("Azurite account %q with a %d-byte key, want a random account and key", a.Account, len(a.Key))
	}
}
