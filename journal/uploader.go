package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// uploader commits sealed segments in order, each at every destination in parallel. It holds at
// most one segment waiting besides the one it uploads: the recorder stops reading when it cannot
// hand over, which bounds memory whatever the write rate.
type uploader struct {
	journals []*Journal
	o        *Options
	queue    chan *sealed
	failed   chan error // the first segment that could not be committed everywhere
	done     chan struct{}
	mu       sync.Mutex
	pending  []time.Time   // FirstTime of each segment handed over and not yet committed
	took     time.Duration // how long the last commit took, everywhere
}

func newUploader(ctx context.Context, journals []*Journal, o *Options) *uploader {
	u := &uploader{journals: journals, o: o, queue: make(chan *sealed, 1), failed: make(chan error, 1),
		done: make(chan struct{})}
	go u.run(ctx)
	return u
}

// offer hands s over without waiting; false when the queue is full.
func (u *uploader) offer(s *sealed) bool {
	u.track(s)
	select {
	case u.queue <- s:
		return true
	default:
		u.untrack()
		return false
	}
}

// put hands s over, waiting for room until ctx ends or an upload failed.
func (u *uploader) put(ctx context.Context, s *sealed) error {
	u.track(s)
	select {
	case u.queue <- s:
		return nil
	case err := <-u.failed:
		u.failed <- err
		u.untrack()
		return err
	case <-ctx.Done():
		u.untrack()
		return ctx.Err()
	}
}

func (u *uploader) track(s *sealed) {
	u.mu.Lock()
	u.pending = append(u.pending, s.m.FirstTime)
	u.mu.Unlock()
}

func (u *uploader) untrack() {
	u.mu.Lock()
	u.pending = u.pending[:len(u.pending)-1]
	u.mu.Unlock()
}

// oldest is when the oldest revision not yet committed was received; zero when none waits.
func (u *uploader) oldest() time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.pending) == 0 {
		return time.Time{}
	}
	return u.pending[0]
}

// lastTook is how long the last commit took.
func (u *uploader) lastTook() time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.took
}

// close stops taking segments and waits for the queued ones, at most wait.
func (u *uploader) close(wait time.Duration, cancel context.CancelFunc) {
	close(u.queue)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-u.done:
	case <-t.C:
		u.o.Logger.Warn("journal: segments still uploading at stop; cancelled", zap.Duration("waited", wait))
		cancel()
		<-u.done
	}
}

func (u *uploader) run(ctx context.Context) {
	defer close(u.done)
	for s := range u.queue {
		start := time.Now()
		if err := u.commitAll(ctx, s); err != nil {
			u.failed <- err
			for range u.queue { // drop the rest: the caller starts a new chain
			}
			return
		}
		u.mu.Lock()
		u.pending = u.pending[1:]
		u.took = time.Since(start)
		u.mu.Unlock()
		if u.o.Observer != nil {
			u.o.Observer.Committed(s.m)
		}
	}
}

// commitAll commits s at every destination, each retried with backoff.
func (u *uploader) commitAll(ctx context.Context, s *sealed) error {
	var g errgroup.Group
	for _, j := range u.journals {
		g.Go(func() error { return u.commitOne(ctx, j, s) })
	}
	if err := g.Wait(); err != nil {
		return &UploadError{Segment: s.m.Name, Err: err}
	}
	return nil
}

func (u *uploader) commitOne(ctx context.Context, j *Journal, s *sealed) error {
	backoff := u.o.Backoff
	var err error
	for attempt := 0; attempt <= u.o.Retries; attempt++ {
		if attempt > 0 {
			u.o.Logger.Warn("journal: segment upload failed; retrying", zap.String("segment", s.m.Name),
				zap.String("destination", j.Store.String()), zap.Error(err))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			}
			backoff *= 2
		}
		actx, cancel := context.WithTimeout(ctx, u.o.UploadTimeout)
		err = j.commit(actx, s)
		cancel()
		if err == nil || errors.Is(err, catalog.ErrTaken) { // another writer's: trying again changes nothing
			return err
		}
	}
	return fmt.Errorf("after %d attempts: %w", u.o.Retries+1, err)
}

// UploadError is returned by Recorder.Run when a segment could not be committed at every
// destination: the chain is broken there, and the caller starts a new one.
type UploadError struct {
	Segment string
	Err     error
}

func (e *UploadError) Error() string { return fmt.Sprintf("journal segment %s: %v", e.Segment, e.Err) }
func (e *UploadError) Unwrap() error { return e.Err }
