package backup

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
)

func TestEncoderLevel(t *testing.T) {
	cases := []struct {
		level string
		want  zstd.EncoderLevel
	}{
		{"", zstd.SpeedFastest},
		{"fastest", zstd.SpeedFastest},
		{"default", zstd.SpeedDefault},
		{"better", zstd.SpeedBetterCompression},
		{"best", zstd.SpeedBestCompression},
	}
	for _, tc := range cases {
		got, err := zstdLevel(tc.level)
		if err != nil || got != tc.want {
			t.Fatalf("zstdLevel(%q) = %v, %v; want %v", tc.level, got, err, tc.want)
		}
	}
}

func TestEncoderUnknownLevel(t *testing.T) {
	_, err := newEncoder(&bytes.Buffer{}, &Options{Compression: "zstd", CompressionLevel: "max"})
	if err == nil || !strings.Contains(err.Error(), `compression_level "max"`) {
		t.Fatalf("newEncoder error = %v; want it to name compression_level", err)
	}
}

// TestEncoderAbortStopsStages aborts an encoder in the middle of a stream: its goroutines end and
// nothing more reaches the output.
func TestEncoderAbortStopsStages(t *testing.T) {
	rcpt := recipients(t)
	before := runtime.NumGoroutine()
	out := &lockedBuffer{}
	enc, err := newEncoder(out, &Options{Compression: "zstd", Recipients: rcpt})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	if _, err := enc.Write(data); err != nil {
		t.Fatal(err)
	}
	enc.abort()
	n := out.len()
	if _, err := enc.Write(data[:1<<20]); err == nil {
		t.Fatal("a write after abort succeeded")
	}
	waitGoroutines(t, before, "abort")
	if out.len() != n {
		t.Fatalf("output grew from %d to %d bytes after abort", n, out.len())
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// TestEncoderFailedCloseStopsStages: when the output fails while the encoder flushes, Close
// reports it and no stage goroutine is left behind.
func TestEncoderFailedCloseStopsStages(t *testing.T) {
	rcpt := recipients(t)
	before := runtime.NumGoroutine()
	data := make([]byte, 300<<10)
	rand.NewChaCha8([32]byte{2}).Read(data)
	out := &failAfter{n: 2048}
	enc, err := newEncoder(out, &Options{Compression: "zstd", Recipients: rcpt})
	if err != nil {
		t.Fatal(err)
	}
	enc.Write(data)
	for !out.failed.Load() { // the OpenPGP stage met the failure: zstd's last flush will too
		time.Sleep(time.Millisecond)
	}
	if err := enc.Close(); err == nil {
		t.Fatal("Close succeeded on a failing output")
	}
	waitGoroutines(t, before, "a failed Close")
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n      int
	failed atomic.Bool
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		f.failed.Store(true)
		return 0, errNoSpace
	}
	return len(p), nil
}

func recipients(t *testing.T) *crypto.Recipients {
	t.Helper()
	key := gpgtest.NewKey(t, "encoder", "future-default", "")
	rcpt, err := crypto.LoadRecipients([]string{key.PublicFile})
	if err != nil {
		t.Fatal(err)
	}
	return rcpt
}

// waitGoroutines fails the test unless the goroutine count falls back to before within 5 s.
func waitGoroutines(t *testing.T, before int, after string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines after %s, %d before", g, after, before)
	}
}
