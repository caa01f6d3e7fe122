package snapstat_test

import (
	"bytes"
	"io"
	"testing"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
)

// benchSnapshot is the stream of a ~64 MB database of Kubernetes-like objects.
func benchSnapshot(b *testing.B) []byte {
	m := etcdtest.Start(b, etcdtest.Options{})
	c := m.Client(b)
	etcdtest.Fill(b, c, 16000, 4096, 11)
	return snapshotStream(b, c)
}

// BenchmarkScanner is status computed from the stream, fed in the backup's 256 KiB chunks.
func BenchmarkScanner(b *testing.B) {
	data := benchSnapshot(b)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		s := snapstat.New()
		if _, err := io.CopyBuffer(s, bytes.NewReader(data), buf); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Status(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLibrary is etcdutl's snapshot status on the same database, saved to a file.
func BenchmarkLibrary(b *testing.B) {
	path := save(b, benchSnapshot(b))
	b.ResetTimer()
	for range b.N {
		st, err := snapshot.NewV3(zap.NewNop()).Status(path)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.TotalSize)
	}
}
