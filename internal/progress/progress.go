// Package progress shows the progress of a long transfer on a terminal: bytes, rate and ETA.
// It draws nothing when the output is not a terminal.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/mattn/go-isatty"
)

// redrawEvery limits how often the line is redrawn.
const redrawEvery = 200 * time.Millisecond

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Bar counts the bytes written to it and redraws one status line on out.
type Bar struct {
	out   io.Writer
	label string
	total int64
	now   func() time.Time

	mu     sync.Mutex
	n      int64
	start  time.Time
	drawn  time.Time
	width  int // length of the last line drawn
	closed bool
}

// New returns a bar for a transfer of total bytes (0 when unknown), drawn on out.
func New(out io.Writer, label string, total int64) *Bar {
	return NewWithClock(out, label, total, time.Now)
}

// NewWithClock is New with a clock, for tests.
func NewWithClock(out io.Writer, label string, total int64, now func() time.Time) *Bar {
	return &Bar{out: out, label: label, total: total, now: now, start: now()}
}

// Write counts p; it never fails.
func (b *Bar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += int64(len(p))
	if t := b.now(); !b.closed && t.Sub(b.drawn) >= redrawEvery {
		b.drawn = t
		b.draw(t)
	}
	return len(p), nil
}

// Close draws the final line and ends it.
func (b *Bar) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.draw(b.now())
	_, err := fmt.Fprintln(b.out)
	return err
}

// draw rewrites the status line; b.mu is held.
func (b *Bar) draw(t time.Time) {
	line := Format(b.label, b.n, b.total, t.Sub(b.start))
	pad := max(0, b.width-len(line))
	b.width = len(line)
	fmt.Fprintf(b.out, "\r%s%s", line, strings.Repeat(" ", pad))
}

// Format renders one status line: label, bytes done of total, percentage, rate and ETA.
func Format(label string, done, total int64, elapsed time.Duration) string {
	var sb strings.Builder
	sb.WriteString(label)
	sb.WriteString("  ")
	sb.WriteString(humanize.IBytes(uint64(done)))
	if total > 0 {
		fmt.Fprintf(&sb, " / %s  %3d%%", humanize.IBytes(uint64(total)), done*100/total)
	}
	rate := Rate(done, elapsed)
	if rate <= 0 {
		sb.WriteString("  -/s")
		return sb.String()
	}
	fmt.Fprintf(&sb, "  %s/s", humanize.IBytes(uint64(rate)))
	if total > 0 && done < total {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second))
		sb.WriteString("  ETA " + FormatETA(eta))
	}
	return sb.String()
}

// Rate is bytes per second, or 0 when too little time has passed to tell.
func Rate(done int64, elapsed time.Duration) float64 {
	if elapsed < 10*time.Millisecond {
		return 0
	}
	return float64(done) / elapsed.Seconds()
}

// FormatETA renders a remaining time: 45s, 2m05s or 1h02m.
func FormatETA(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
}
