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

// stream reads src in chunks and hands each chunk to every writer, each in its own goroutine behind
// its own bounded queue. It returns once every writer has written everything; the first writer error
// stops the stream and is returned.
func stream(ctx context.Context, src io.Reader, endpoint string, writers ...io.Writer) (plain, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sinks := make([]*sink, len(writers))
	for i, w := range writers {
		write := func(b []byte) error { _, err := w.Write(b); return err }
		sinks[i] = newSink(chunkQueue, write, func(err error) { cancel(err) })
	}
	p, err := ingest(ctx, src, endpoint, sinks)
	var errs []error
	for _, s := range sinks {
		s.close()
		errs = append(errs, s.failed())
	}
	if serr := errors.Join(errs...); serr != nil {
		err = serr
	}
	return p, err
}

// ingest reads the snapshot and queues each chunk to every sink.
func ingest(ctx context.Context, src io.Reader, endpoint string, sinks []*sink) (plain, error) {
	var n int64
	for {
		b := chunkPool.Get().(*[]byte)
		*b = (*b)[:chunkSize]
		k, rerr := io.ReadFull(src, *b)
		*b = (*b)[:k]
		if k > 0 {
			n += int64(k)
			c := newChunk(b, len(sinks))
			for _, s := range sinks {
				select {
				case s.q <- c:
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
