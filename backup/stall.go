package backup

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// abortGrace is how long an attempt waits at its end for the aborts of dropped uploads: enough for
// a live server to clean up, little next to a stall period when the server hangs.
const abortGrace = 3 * time.Second

// stallError is the cause of an operation given up on: its destination accepted nothing for limit.
type stallError struct{ limit time.Duration }

func (e *stallError) Error() string {
	return "no progress for " + strconv.FormatFloat(e.limit.Seconds(), 'f', -1, 64) + "s: dropped"
}

func isStall(err error) bool {
	var se *stallError
	return errors.As(err, &se)
}

// guard bounds each operation on one destination by its progress, so that a hung server never
// holds up the others: a slow upload goes on as long as the server accepts bytes.
type guard struct {
	limit time.Duration
	store storage.Store // tells of progress within an operation, if it can
}

func newGuard(s storage.Store) guard { return guard{limit: storage.StallTimeout(s), store: s} }

// do runs op and waits until it returns, or until neither op returned nor the store made progress
// for the limit: then it returns a *stallError and leaves op to end alone once its upload is aborted.
func (g guard) do(op func() error) error {
	done := make(chan error, 1)
	go func() { done <- op() }()
	start := time.Now()
	t := time.NewTimer(g.limit)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return err
		case now := <-t.C:
			last := start
			if p := storage.LastProgress(g.store); p.After(last) {
				last = p
			}
			idle := now.Sub(last)
			if idle >= g.limit {
				return &stallError{g.limit}
			}
			t.Reset(g.limit - idle)
		}
	}
}

// stallWriter is a writer whose writes are guarded. A write given up on may still read p: the
// caller must not reuse p after an error.
type stallWriter struct {
	w io.Writer
	g guard
}

func (s stallWriter) Write(p []byte) (int, error) {
	var n int
	err := s.g.do(func() (err error) { n, err = s.w.Write(p); return err })
	if isStall(err) {
		return 0, err // n belongs to the write still running
	}
	return n, err
}

// aborter aborts dropped uploads in the background: an abort that waits on a hung server must
// not hold up the backup.
type aborter struct{ wg sync.WaitGroup }

func (a *aborter) abort(w storage.Writer) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		w.Abort()
	}()
}

// wait waits at most grace for the aborts under way and reports whether they all ended.
func (a *aborter) wait(grace time.Duration) bool {
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(grace):
		return false
	}
}

// named puts the step and the destination into a stall error; the stores' own errors name them.
func (d *dest) named(step string, err error) error {
	if isStall(err) {
		return fmt.Errorf("%s %s to %s: %w", step, d.key, d.cat.Store, err)
	}
	return err
}
