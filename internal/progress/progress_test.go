package progress

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		name    string
		done    int64
		total   int64
		elapsed time.Duration
		want    string
	}{
		{"start", 0, 1 << 30, 0, "fetch  0 B / 1.0 GiB    0%  -/s"},
		{"quarter", 256 << 20, 1 << 30, 2 * time.Second, "fetch  256 MiB / 1.0 GiB   25%  128 MiB/s  ETA 6s"},
		{"slow", 1 << 20, 101 << 20, 10 * time.Second, "fetch  1.0 MiB / 101 MiB    0%  102 KiB/s  ETA 16m40s"},
		{"hours", 1 << 20, 4000 << 20, 1000 * time.Second, "fetch  1.0 MiB / 3.9 GiB    0%  1.0 KiB/s  ETA 1110h50m"},
		{"done", 1 << 30, 1 << 30, 4 * time.Second, "fetch  1.0 GiB / 1.0 GiB  100%  256 MiB/s"},
		{"unknown total", 3 << 20, 0, time.Second, "fetch  3.0 MiB  3.0 MiB/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Format("fetch", c.done, c.total, c.elapsed); got != c.want {
				t.Fatalf("Format = %q, want %q", got, c.want)
			}
		})
	}
}

func TestFormatETA(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {1400 * time.Millisecond, "1s"}, {59 * time.Second, "59s"}, {60 * time.Second, "1m00s"},
		{125 * time.Second, "2m05s"}, {3600 * time.Second, "1h00m"}, {3720 * time.Second, "1h02m"},
	}
	for _, c := range cases {
		if got := FormatETA(c.d); got != c.want {
			t.Fatalf("FormatETA(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestBar drives a bar with a fake clock: it draws at the first write, then at most every 200ms, and
// ends with a newline.
func TestBar(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(1000, 0)
	b := NewWithClock(&out, "verify", 1000, func() time.Time { return now })
	chunk := make([]byte, 100)
	for i := 0; i < 10; i++ {
		now = now.Add(100 * time.Millisecond)
		if n, err := b.Write(chunk); n != 100 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\r")[1:]
	if len(lines) != 6 { // draws at 100 ms, then every 200 ms, then Close
		t.Fatalf("%d redraws, want 6: %q", len(lines), out.String())
	}
	if want := "verify  100 B / 1000 B   10%  1000 B/s  ETA 1s"; lines[0] != want {
		t.Fatalf("first line %q, want %q", lines[0], want)
	}
	last, prev := lines[len(lines)-1], lines[len(lines)-2]
	if want := "verify  1000 B / 1000 B  100%  1000 B/s"; strings.TrimRight(last, " \n") != want {
		t.Fatalf("last line %q, want %q", last, want)
	}
	if !strings.HasSuffix(last, "\n") || len(last)-1 < len(prev) { // padded over the longer line before
		t.Fatalf("last line %q does not cover %q and end the line", last, prev)
	}
	if err := b.Close(); err != nil || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("second Close wrote again: %q, %v", out.String(), err)
	}
}

// TestIsTerminal checks that buffers, files and pipes are not terminals and a pseudo-terminal is.
func TestIsTerminal(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cases := []struct {
		name string
		w    any
		want bool
	}{
		{"buffer", &bytes.Buffer{}, false},
		{"regular file", file, false},
		{"pipe", w, false},
		{"dev null", devnull, false},
		{"pseudo-terminal", openPTY(t), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsTerminal(c.w.(interface{ Write([]byte) (int, error) })); got != c.want {
				t.Fatalf("IsTerminal = %v, want %v", got, c.want)
			}
		})
	}
}

// openPTY opens the terminal side of a new pseudo-terminal.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty %d: %v", n, err)
	}
	t.Cleanup(func() { slave.Close() })
	return slave
}
