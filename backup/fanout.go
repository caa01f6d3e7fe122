package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// destQueue is how many chunks (of chunkSize) may wait for one destination. A slower destination
// holds the stream back only once its queue is full.
const destQueue = 16

// dest is one destination's upload of one data object, fed by its own goroutine. A failure aborts
// the upload, so that nothing is committed; a destination that stalls is dropped the same way.
type dest struct {
	*sink
	cat       *catalog.Catalog
	key       string
	w         storage.Writer
	guard     guard
	aborts    *aborter
	committed bool
	size      int64             // stored bytes committed
	sum       string            // their sha256
	manifest  *catalog.Manifest // written here, once committed
}

func newDest(c *catalog.Catalog, key string, w storage.Writer, aborts *aborter) *dest {
	d := &dest{cat: c, key: key, w: w, guard: newGuard(c.Store), aborts: aborts}
	d.sink = newChunkSink(destQueue, d.write, func(error) {
		if d.w != nil {
			aborts.abort(d.w)
		}
	})
	return d
}

// write sends one chunk, or gives up once the destination stalls. The write keeps a reference of its
// own, so that a write given up on never reads a chunk reused for other bytes.
func (d *dest) write(c *chunk) error {
	c.hold()
	err := d.guard.do(func() error {
		defer c.release()
		_, err := d.w.Write(*c.b)
		return err
	})
	return d.named("upload", err) // the store's own errors already say "upload <key> to <destination>"
}

// fanout cuts the stored stream into chunks and queues each for the spool and every live
// destination, hashing and counting the bytes once.
type fanout struct {
	chunker
	dests   []*dest
	spool   *sink
	h       hash.Hash
	n       int64
	sum     string // hex sha256 of the stored stream, once drained
	drained sync.Once
}

func newFanout(dests []*dest, spool *sink) *fanout {
	return &fanout{dests: dests, spool: spool, h: sha256.New()}
}

// Write fails only when the spool does: a failed destination is retried from the spool later.
func (f *fanout) Write(p []byte) (int, error) {
	if err := f.spool.failed(); err != nil {
		return 0, err
	}
	f.h.Write(p)
	f.n += int64(len(p))
	f.add(p, f.dispatch)
	return len(p), nil
}

// dispatch queues a chunk to the spool and every destination; one that failed drops it.
func (f *fanout) dispatch(b *[]byte) {
	c := newChunk(b, len(f.dests)+1)
	f.spool.q <- c
	for _, d := range f.dests {
		d.q <- c
	}
}

// drain flushes the last chunk and waits until every destination has written what it was given.
func (f *fanout) drain() {
	f.drained.Do(func() {
		f.flush(f.dispatch)
		f.spool.close()
		for _, d := range f.dests {
			d.close()
		}
		f.sum = hex.EncodeToString(f.h.Sum(nil))
	})
}

// abort drops every destination still alive and stops their goroutines.
func (f *fanout) abort(cause error) {
	for _, d := range f.dests {
		d.fail(cause)
	}
	f.drain()
}

// commit finishes every live upload in parallel; one that stalls is dropped.
func (f *fanout) commit() {
	f.drain()
	var wg sync.WaitGroup
	for _, d := range f.dests {
		if d.failed() != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.guard.do(d.w.Commit); err != nil {
				d.fail(d.named("commit", err))
				return
			}
			d.committed, d.size, d.sum = true, f.n, f.sum
		}()
	}
	wg.Wait()
}
