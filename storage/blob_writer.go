package storage

import (
	"fmt"
	"sync"

	"gocloud.dev/blob"
)

// blobWriter wraps a gocloud writer whose context it owns, so Abort can
// cancel the upload before closing it.
type blobWriter struct {
	store   *blobStore
	key     string
	cancel  func()
	mu      sync.Mutex
	w       *blob.Writer
	written int64
	done    bool
}

var _ Writer = (*blobWriter)(nil)

func (w *blobWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return 0, fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, errWriterDone)
	}
	n, err := w.w.Write(p)
	w.written += int64(n)
	if err != nil {
		return n, fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, err)
	}
	return n, nil
}

// Commit closes the gocloud writer; its error is the first one that tells
// whether the upload, credentials included, succeeded.
func (w *blobWriter) Commit() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, errWriterDone)
	}
	w.done = true
	err := w.w.Close()
	w.cancel()
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", w.key, w.store.url, mapErr(err))
	}
	return nil
}

// Abort cancels the upload first, so that Close cannot commit it, then
// closes the writer and discards its error.
func (w *blobWriter) Abort() {
	w.cancel()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	_ = w.w.Close()
	if w.store.scheme == "s3" && w.written >= s3MinPartSize {
		w.store.abortMultipart(w.key)
	}
}
