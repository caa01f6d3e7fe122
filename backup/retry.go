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

// retry uploads the spooled stream again to each destination that failed, with exponential backoff.
func (a *attempt) retry(ctx context.Context, spool *os.File) {
	for _, d := range a.fan.dests {
		if d.failed() == nil {
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
				d.reset(fmt.Errorf("%w (after %d retries)", err, i))
				continue
			}
			d.reset(nil)
			break
		}
	}
}

// reupload copies the spooled stream into a new upload to d and commits it, once the copy proved to
// be the very bytes the other destinations got. A destination that stalls is dropped again.
func (a *attempt) reupload(ctx context.Context, d *dest, spool *os.File) error {
	w, err := d.cat.Store.NewWriter(ctx, d.key, a.sizeHint())
	if err != nil {
		return err // it names the key and the destination
	}
	cw := &countingHash{w: stallWriter{w: w, g: d.guard}, h: sha256.New()}
	// A fresh buffer: a write given up on may still read it.
	_, err = io.CopyBuffer(cw, io.NewSectionReader(spool, 0, a.fan.n), make([]byte, chunkSize))
	if err == nil && (cw.n != a.fan.n || hex.EncodeToString(cw.h.Sum(nil)) != a.fan.sum) {
		err = fmt.Errorf("spool %s: read back %d bytes that differ from the %d stored", spool.Name(), cw.n, a.fan.n)
	}
	if err != nil {
		d.aborts.abort(w)
		if err == cw.werr { // the store's errors name the upload themselves
			return d.named("upload", err)
		}
		return fmt.Errorf("upload %s to %s: %w", d.key, d.cat.Store, err)
	}
	if err := d.guard.do(w.Commit); err != nil {
		d.aborts.abort(w)
		return d.named("commit", err)
	}
	d.committed, d.size, d.sum = true, a.fan.n, a.fan.sum
	return nil
}

// countingHash passes bytes to w, hashing and counting them.
type countingHash struct {
	w    io.Writer
	h    hash.Hash
	n    int64
	werr error // the last write error, to tell it from the spool's
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	c.werr = err
	return n, err
}
