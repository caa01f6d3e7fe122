package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// destQueue is how many chunks (of chunkSize) may wait for one destination. A slower destination
// holds the stream back only once its queue is full.
const destQueue = 16

// chunk is a piece of the stored stream shared by every destination; the last reader frees it.
type chunk struct {
	b    *[]byte
	refs atomic.Int32
}

func (c *chunk) release() {
	if c.refs.Add(-1) == 0 {
		chunkPool.Put(c.b)
	}
}

// dest is one destination's upload of one data object, fed by its own goroutine.
type dest struct {
	cat       *catalog.Catalog
	key       string
	w         storage.Writer
	q         chan *chunk
	done      chan struct{}
	mu        sync.Mutex
	err       error
	committed bool
	size      int64  // stored bytes committed
	sum       string // their sha256
}

func newDest(c *catalog.Catalog, key string, w storage.Writer) *dest {
	d := &dest{cat: c, key: key, w: w, q: make(chan *chunk, destQueue), done: make(chan struct{})}
	go d.feed()
	return d
}

func (d *dest) feed() {
	defer close(d.done)
	for c := range d.q {
		if d.failed() == nil {
			if _, err := d.w.Write(*c.b); err != nil {
				d.fail(fmt.Errorf("upload %s to %s: %w", d.key, d.cat.Store, err))
			}
		}
		c.release()
	}
}

// fail records the first error and aborts the upload, so that nothing is committed.
func (d *dest) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = err
		if d.w != nil {
			d.w.Abort()
		}
	}
}

func (d *dest) failed() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// fanout cuts the stored stream into chunks and queues each for the spool and every live
// destination, hashing and counting the bytes once.
type fanout struct {
	dests   []*dest
	spool   *spoolSink
	h       hash.Hash
	n       int64
	sum     string // hex sha256 of the stored stream, once drained
	cur     *[]byte
	drained sync.Once
}

func newFanout(dests []*dest, spool *spoolSink) *fanout {
	return &fanout{dests: dests, spool: spool, h: sha256.New()}
}

// Write fails only when the spool does: a failed destination is retried from the spool later.
func (f *fanout) Write(p []byte) (int, error) {
	if err := f.spool.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	f.h.Write(p)
	f.n += int64(len(p))
	for len(p) > 0 {
		if f.cur == nil {
			f.cur = chunkPool.Get().(*[]byte)
			*f.cur = (*f.cur)[:0]
		}
		k := copy((*f.cur)[len(*f.cur):cap(*f.cur)], p)
		*f.cur = (*f.cur)[:len(*f.cur)+k]
		p = p[k:]
		if len(*f.cur) == cap(*f.cur) {
			f.dispatch()
		}
	}
	return n, nil
}

// dispatch queues the current chunk to the spool and every live destination.
func (f *fanout) dispatch() {
	if f.cur == nil {
		return
	}
	c := &chunk{b: f.cur}
	f.cur = nil
	var live []*dest
	for _, d := range f.dests {
		if d.failed() == nil {
			live = append(live, d)
		}
	}
	c.refs.Store(int32(len(live) + 1))
	f.spool.q <- c
	for _, d := range live {
		d.q <- c
	}
}

// drain flushes the last chunk and waits until every destination has written what it was given.
func (f *fanout) drain() {
	f.drained.Do(func() {
		f.dispatch()
		close(f.spool.q)
		for _, d := range f.dests {
			close(d.q)
		}
		<-f.spool.done
		for _, d := range f.dests {
			<-d.done
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

// commit finishes every live upload in parallel.
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
			if err := d.w.Commit(); err != nil {
				d.fail(err)
				return
			}
			d.committed, d.size, d.sum = true, f.n, f.sum
		}()
	}
	wg.Wait()
}

// errs joins the errors of the failed destinations.
func (f *fanout) errs() error {
	var errs []error
	for _, d := range f.dests {
		if err := d.failed(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
