package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

const (
	chunkSize  = 256 << 10
	chunkQueue = 8
)

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// sourceError marks a failure of the snapshot stream itself, after which another member may be tried.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// plain is what the ingest stage learned of the plain snapshot.
type plain struct {
	size   int64
	sha256 string // set by the caller, from the trailer reader
}

// stream reads src in chunks and hands each chunk to every sink, each in its own goroutine behind
// its own bounded queue. It returns once every sink has written everything; the first sink error
// stops the stream and is returned.
func stream(ctx context.Context, src io.Reader, endpoint string, sinks ...io.Writer) (plain, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queues := make([]chan *chunk, len(sinks))
	errs := make([]error, len(sinks))
	var wg sync.WaitGroup
	for i, w := range sinks {
		queues[i] = make(chan *chunk, chunkQueue)
		wg.Go(func() {
			for c := range queues[i] {
				if errs[i] == nil {
					if _, err := w.Write(*c.b); err != nil {
						errs[i] = err
						cancel(err)
					}
				}
				c.release()
			}
		})
	}
	p, err := ingest(ctx, src, endpoint, queues)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if serr := errors.Join(errs...); serr != nil {
		err = serr
	}
	return p, err
}

// ingest reads the snapshot and queues each chunk to every sink.
func ingest(ctx context.Context, src io.Reader, endpoint string, queues []chan *chunk) (plain, error) {
	var n int64
	for {
		b := chunkPool.Get().(*[]byte)
		*b = (*b)[:chunkSize]
		k, rerr := io.ReadFull(src, *b)
		*b = (*b)[:k]
		if k > 0 {
			n += int64(k)
			c := &chunk{b: b}
			c.refs.Store(int32(len(queues)))
			for _, q := range queues {
				select {
				case q <- c:
				case <-ctx.Done():
					return plain{}, context.Cause(ctx)
				}
			}
		} else {
			chunkPool.Put(b)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
				return plain{}, cause
			}
			return plain{}, &sourceError{fmt.Errorf("snapshot from %s: %w", endpoint, rerr)}
		}
	}
	if n == 0 {
		return plain{}, &sourceError{fmt.Errorf("snapshot from %s: empty stream", endpoint)}
	}
	return plain{size: n}, nil
}

// isSource reports whether err came from the snapshot stream.
func isSource(err error) bool {
	var se *sourceError
	return errors.As(err, &se)
}
