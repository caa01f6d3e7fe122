//go:build unix

package crypto

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const benchSize = 64 << 20

// BenchmarkEncrypt encrypts 64 MiB into a sink, written in pieces of 32 KiB (as io.Copy does) or
// 1 KiB (as a compressor flushing small blocks may do).
func BenchmarkEncrypt(b *testing.B) {
	h := testGPG(b)
	rec := loadRecipients(b, h.key(b, "cv25519").pubArmored)
	data := testData(benchSize, 1)
	f, err := os.Create(filepath.Join(b.TempDir(), "out.pgp"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sinks := []struct {
		name string
		w    io.Writer
	}{
		{"discard", io.Discard},
		{"file", f},
	}
	for _, s := range sinks {
		for _, piece := range []int{32 << 10, 1 << 10} {
			b.Run(fmt.Sprintf("%s/write=%dKiB", s.name, piece>>10), func(b *testing.B) {
				b.SetBytes(benchSize)
				defer reportCPU(b)()
				for b.Loop() {
					if _, err := f.Seek(0, io.SeekStart); err != nil {
						b.Fatal(err)
					}
					encryptPieces(b, s.w, rec, data, piece)
				}
			})
		}
	}
}

// BenchmarkDecrypt decrypts a 64 MiB message and reads the plaintext with io.Copy.
func BenchmarkDecrypt(b *testing.B) {
	h := testGPG(b)
	k := h.key(b, "cv25519")
	msg := encryptBytes(b, loadRecipients(b, k.pubArmored), testData(benchSize, 1))
	id := loadIdentity(b, k, true)
	b.SetBytes(benchSize)
	defer reportCPU(b)()
	for b.Loop() {
		r, err := Decrypt(bytes.NewReader(msg), id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func encryptPieces(b *testing.B, dst io.Writer, rec *Recipients, data []byte, piece int) {
	w, err := Encrypt(dst, rec)
	if err != nil {
		b.Fatal(err)
	}
	for p := data; len(p) > 0; p = p[min(piece, len(p)):] {
		if _, err := w.Write(p[:min(piece, len(p))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// reportCPU reports bytes per second of process CPU time (all threads, GC included), a figure that
// stays meaningful on a busy machine. Call the returned function after the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() {
		if used := cpuTime(b) - start; used > 0 {
			b.ReportMetric(float64(b.N)*benchSize/used.Seconds()/1e6, "MB/cpu-s")
		}
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
