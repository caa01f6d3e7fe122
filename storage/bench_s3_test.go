package storage

import (
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// benchSize is the size of one upload in the MinIO benchmarks, about that
// of a large etcd backup.
const benchSize = 1 << 30

// repeatReader serves size bytes made of one random block repeated; it
// seeks, as a plain PutObject of a stream of known length needs.
type repeatReader struct {
	block     []byte
	size, off int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	i := r.off % int64(len(r.block))
	n := copy(p[:min(int64(len(p)), r.size-r.off)], r.block[i:])
	r.off += int64(n)
	return n, nil
}

func (r *repeatReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += r.off
	case io.SeekEnd:
		off += r.size
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	r.off = off
	return off, nil
}

// BenchmarkS3Upload uploads 1 GiB to MinIO over loopback through our
// Writer (gocloud's multipart upload) and, as the baseline, as one plain
// PutObject of the same bytes. Over http:// the SDK signs the payload
// (SHA-256 on both ends); the unsigned variant shows what that costs.
func BenchmarkS3Upload(b *testing.B) {
	m := storagetest.StartMinIO(b, nil)
	m.Env(b)
	bucket := m.NewBucket(b)
	block := randomBytes(b, 4<<20)
	for _, tc := range []struct {
		name, param string
		opts        Options
	}{
		{"writer/default", "", Options{}},
		{"writer/16MiB-parts", "", Options{PartSize: 16 << 20, Concurrency: 5}},
		{"writer/unsigned-payload", "&unsigned_payload=true", Options{}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := openStore(b, m.URL(bucket, "bench")+tc.param, tc.opts)
			b.SetBytes(benchSize)
			for b.Loop() {
				timeWriter(b, s, block)
			}
		})
	}
	for _, tc := range []struct {
		name string
		opts []func(*s3.Options)
	}{
		{"putobject/signed-payload", nil},
		{"putobject/unsigned-payload", []func(*s3.Options){s3.WithAPIOptions(addUnsignedPayload)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := m.Client(b)
			b.SetBytes(benchSize)
			for b.Loop() {
				timePut(b, c, bucket, block, tc.opts)
			}
		})
	}
}
