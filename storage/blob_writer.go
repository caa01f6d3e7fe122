package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/blob"
)

// errAborted ends the upload stream of an aborted writer.
var errAborted = errors.New("upload aborted")

// blobWriter streams into gocloud's Bucket.Upload through a pipe, in a
// goroutine that owns the upload context. Upload drives the driver's own
// reader-based path, which has no write-side pipe of its own to race with a
// cancellation. Abort cancels the context before ending the stream, so the
// upload can never commit.
type blobWriter struct {
	store    *blobStore
	key      string
	cancel   context.CancelFunc
	pw       *io.PipeWriter
	finished chan struct{} // closed when Upload returned
	err      error         // Upload's result, set before finished closes

	part int64 // upload part size: smaller uploads are one PUT, with nothing to clean up

	mu      sync.Mutex
	written int64
	done    bool
}

var _ Writer = (*blobWriter)(nil)

// startUpload runs Bucket.Upload of key from a pipe.
func (s *blobStore) startUpload(ctx context.Context, key string, opts *blob.WriterOptions) *blobWriter {
	wctx, cancel := withUploadTimeout(ctx, s.upload.timeout)
	pr, pw := io.Pipe()
	w := &blobWriter{store: s, key: key, cancel: cancel, pw: pw, finished: make(chan struct{}),
		part: max(int64(opts.BufferSize), s3MinPartSize)}
	go func() {
		err := s.bucket.Upload(wctx, key, pr, opts)
		if err == nil {
			err = wctx.Err() // a cancelled upload must not look committed
		}
		w.err = err
		if err == nil {
			err = io.ErrClosedPipe
		}
		pr.CloseWithError(err)
		close(w.finished)
	}()
	return w
}

func (w *blobWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return 0, w.wrap(errWriterDone)
	}
	w.mu.Unlock()
	n, err := w.pw.Write(p)
	w.mu.Lock()
	w.written += int64(n)
	w.mu.Unlock()
	if err != nil {
		return n, w.wrap(mapErr(err))
	}
	return n, nil
}

// Commit ends the stream and waits for the upload; its error is the first
// one that tells whether the upload, credentials included, succeeded.
func (w *blobWriter) Commit() error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return w.wrap(errWriterDone)
	}
	w.done = true
	w.mu.Unlock()
	w.pw.Close()
	<-w.finished
	w.cancel()
	if w.err != nil {
		w.cleanup()
		return w.wrap(mapErr(w.err))
	}
	return nil
}

// abortWait bounds how long Abort waits for the cancelled upload to return: the SDKs return at
// once, a hung server must not make Abort hang.
const abortWait = 10 * time.Second

// Abort cancels the upload first, so that it cannot commit, then ends the
// stream and waits, at most abortWait, for the upload to return.
func (w *blobWriter) Abort() {
	w.cancel()
	w.pw.CloseWithError(errAborted)
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return
	}
	w.done = true
	w.mu.Unlock()
	select {
	case <-w.finished:
		w.cleanup()
	case <-time.After(abortWait):
		// The sweep and a bucket lifecycle rule remove what it may leave.
		w.store.log.Warn("abort upload: still running", zap.String("url", w.store.url), zap.String("key", w.key),
			zap.Duration("after", abortWait))
	}
}

// cleanup aborts what a failed or aborted S3 upload may have left behind.
func (w *blobWriter) cleanup() {
	w.mu.Lock()
	written := w.written
	w.mu.Unlock()
	if w.store.scheme == "s3" && written >= w.part {
		w.store.abortMultipart(w.key)
	}
}

func (w *blobWriter) wrap(err error) error {
	return fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, err)
}
