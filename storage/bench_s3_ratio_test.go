package storage

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// BenchmarkS3WriterVsPutObject alternates, in every iteration, a 1 GiB
// upload through our Writer and a plain PutObject of the same bytes, with
// the same payload signing, so that the load of a shared machine hits both
// alike. It reports both throughputs and writer/putobject in percent.
func BenchmarkS3WriterVsPutObject(b *testing.B) {
	m := storagetest.StartMinIO(b, nil)
	m.Env(b)
	bucket := m.NewBucket(b)
	block := randomBytes(b, 4<<20)
	for _, tc := range []struct {
		name    string
		param   string
		putOpts []func(*s3.Options)
	}{
		{"signed-payload", "", nil},
		{"unsigned-payload", "&unsigned_payload=true", []func(*s3.Options){s3.WithAPIOptions(addUnsignedPayload)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := openStore(b, m.URL(bucket, "ratio")+tc.param, Options{})
			c := m.Client(b)
			var inWriter, inPut time.Duration
			for b.Loop() {
				inWriter += timeWriter(b, s, block)
				inPut += timePut(b, c, bucket, block, tc.putOpts)
			}
			mb := float64(benchSize) * float64(b.N) / 1e6
			b.ReportMetric(mb/inWriter.Seconds(), "writer-MB/s")
			b.ReportMetric(mb/inPut.Seconds(), "putobject-MB/s")
			b.ReportMetric(100*inPut.Seconds()/inWriter.Seconds(), "writer/putobject-%")
		})
	}
}

func timeWriter(b *testing.B, s Store, block []byte) time.Duration {
	start := time.Now()
	w, err := s.NewWriter(context.Background(), "obj", WriteOptions{SizeHint: benchSize})
	if err != nil {
		b.Fatalf("NewWriter: %v", err)
	}
	if _, err := io.CopyBuffer(w, &repeatReader{block: block, size: benchSize}, make([]byte, 1<<20)); err != nil {
		b.Fatalf("write: %v", err)
	}
	if err := w.Commit(); err != nil {
		b.Fatalf("Commit: %v", err)
	}
	return time.Since(start)
}

func timePut(b *testing.B, c *s3.Client, bucket string, block []byte, opts []func(*s3.Options)) time.Duration {
	start := time.Now()
	key, size := "ratio/plain", int64(benchSize)
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, ContentLength: &size,
		Body: &repeatReader{block: block, size: benchSize},
	}, opts...)
	if err != nil {
		b.Fatalf("PutObject: %v", err)
	}
	return time.Since(start)
}
