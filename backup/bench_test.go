package backup

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRun takes whole backups of a ~64 MB database to a file destination.
func BenchmarkRun(b *testing.B) {
	f := newBenchFixture(b, 16000)
	b.ResetTimer()
	var size int64
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), f.client, f.opts)
		if err != nil {
			b.Fatal(err)
		}
		size = res.Manifest.Snapshot.Size
		b.StopTimer()
		os.RemoveAll(filepath.Join(f.store, "c1"))
		b.StartTimer()
	}
	b.SetBytes(size)
}
