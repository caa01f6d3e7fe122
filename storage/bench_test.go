package storage

import (
	"context"
	"testing"
)

// BenchmarkFileWrite streams 256 MiB through a file Writer per iteration,
// Commit (fsync, rename, directory fsync) included.
func BenchmarkFileWrite(b *testing.B) {
	const size = 256 << 20
	s := openFileStore(b, b.TempDir())
	chunk := randomBytes(b, 1<<20)
	ctx := context.Background()
	b.SetBytes(size)
	for b.Loop() {
		w, err := s.NewWriter(ctx, "bench/snapshot.db")
		if err != nil {
			b.Fatalf("NewWriter: %v", err)
		}
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				b.Fatalf("Write: %v", err)
			}
		}
		if err := w.Commit(); err != nil {
			b.Fatalf("Commit: %v", err)
		}
	}
}
