package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

const (
	chunkSize  = 1 << 20
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

// stream copies src to the spool file and, through a bounded queue, to enc, in two overlapping stages.
// It returns once both stages are done; the spool file is fsynced and closed.
func stream(ctx context.Context, src io.Reader, endpoint string, spool *os.File, enc io.Writer) (plain, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queue := make(chan *[]byte, chunkQueue)
	var encErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range queue {
			if encErr == nil {
				if _, err := enc.Write(*b); err != nil {
					encErr = err
					cancel(err)
				}
			}
			chunkPool.Put(b)
		}
	}()
	p, err := ingest(ctx, src, endpoint, spool, queue)
	close(queue)
	<-done
	if encErr != nil {
		err = encErr
	}
	return p, err
}

// ingest reads the snapshot, writes it to the spool and queues it for encoding.
func ingest(ctx context.Context, src io.Reader, endpoint string, spool *os.File, queue chan<- *[]byte) (plain, error) {
	var n int64
	for {
		b := chunkPool.Get().(*[]byte)
		*b = (*b)[:chunkSize]
		k, rerr := io.ReadFull(src, *b)
		*b = (*b)[:k]
		if k > 0 {
			if err := spoolWrite(spool, *b); err != nil {
				return plain{}, err
			}
			n += int64(k)
			select {
			case queue <- b:
			case <-ctx.Done():
				return plain{}, context.Cause(ctx)
			}
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
	if err := spool.Sync(); err != nil {
		return plain{}, fmt.Errorf("spool %s: fsync: %w", spool.Name(), err)
	}
	return plain{size: n}, nil
}

// spoolWriteHook, when set by tests, fails spool writes with its error.
var spoolWriteHook func() error

func spoolWrite(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil && spoolWriteHook != nil {
		err = spoolWriteHook()
	}
	if err != nil {
		return fmt.Errorf("spool %s: %w", f.Name(), err)
	}
	return nil
}

// isSource reports whether err came from the snapshot stream.
func isSource(err error) bool {
	var se *sourceError
	return errors.As(err, &se)
}
