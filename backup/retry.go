package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"go.uber.org/zap"
)

// retry uploads again, from the spool file, to each destination that failed, with exponential backoff.
func (a *attempt) retry(ctx context.Context, spool string) {
	for _, d := range a.fan.dests {
		if d.failed() == nil || a.o.Retries < 0 {
			continue
		}
		wait := a.o.RetryBackoff
		for i := 1; i <= a.o.Retries && ctx.Err() == nil; i++ {
			a.o.Logger.Warn("upload failed; retrying from the spool", zap.String("destination", d.cat.Store.String()),
				zap.Int("attempt", i), zap.Duration("in", wait), zap.Error(d.failed()))
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait *= 2
			if err := a.reupload(ctx, d, spool); err != nil {
				d.mu.Lock()
				d.err = fmt.Errorf("%w (after %d retries)", err, i)
				d.mu.Unlock()
				continue
			}
			d.mu.Lock()
			d.err = nil
			d.mu.Unlock()
			break
		}
	}
}

// reupload encodes the spool file again into a new upload to d and commits it.
func (a *attempt) reupload(ctx context.Context, d *dest, spool string) error {
	f, err := os.Open(spool)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	w, err := d.cat.Store.NewWriter(ctx, d.key, a.sizeHint())
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", d.key, d.cat.Store, err)
	}
	cw := &countingHash{w: w, h: sha256.New()}
	enc, err := newEncoder(cw, a.o.Compression, a.o.Recipients)
	if err == nil {
		_, err = io.Copy(enc, f)
	}
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("upload %s to %s: %w", d.key, d.cat.Store, err)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	d.committed, d.size, d.sum = true, cw.n, hex.EncodeToString(cw.h.Sum(nil))
	return nil
}

// countingHash passes bytes to w, hashing and counting them.
type countingHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}
