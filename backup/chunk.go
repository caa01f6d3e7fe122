package backup

import (
	"sync"
	"sync/atomic"
)

// chunk is a piece of a stream shared by several sinks; the last one frees it.
type chunk struct {
	b    *[]byte
	refs atomic.Int32
}

func newChunk(b *[]byte, refs int) *chunk {
	c := &chunk{b: b}
	c.refs.Store(int32(refs))
	return c
}

// hold takes one more reference, for a reader that may outlive its sink's.
func (c *chunk) hold() { c.refs.Add(1) }

func (c *chunk) release() {
	if c.refs.Add(-1) == 0 {
		chunkPool.Put(c.b)
	}
}

// chunker cuts a stream of writes into pooled chunks of chunkSize.
type chunker struct{ cur *[]byte }

// add copies p into chunks and hands each full one to emit.
func (k *chunker) add(p []byte, emit func(*[]byte)) {
	for len(p) > 0 {
		if k.cur == nil {
			k.cur = chunkPool.Get().(*[]byte)
			*k.cur = (*k.cur)[:0]
		}
		n := copy((*k.cur)[len(*k.cur):cap(*k.cur)], p)
		*k.cur = (*k.cur)[:len(*k.cur)+n]
		p = p[n:]
		if len(*k.cur) == cap(*k.cur) {
			k.flush(emit)
		}
	}
}

// flush hands the chunk under way, if any, to emit.
func (k *chunker) flush(emit func(*[]byte)) {
	if k.cur != nil {
		emit(k.cur)
		k.cur = nil
	}
}

// sink writes queued chunks in a goroutine of its own. After the first error it only drains its
// queue; onFail, if set, runs once with that error.
type sink struct {
	q      chan *chunk
	done   chan struct{}
	write  func(*chunk) error
	onFail func(error)
	mu     sync.Mutex
	err    error
	closed sync.Once
}

func newSink(depth int, write func([]byte) error, onFail func(error)) *sink {
	return newChunkSink(depth, func(c *chunk) error { return write(*c.b) }, onFail)
}

// newChunkSink is newSink for a writer that needs the chunk itself, to hold it.
func newChunkSink(depth int, write func(*chunk) error, onFail func(error)) *sink {
	s := &sink{q: make(chan *chunk, depth), done: make(chan struct{}), write: write, onFail: onFail}
	go s.run()
	return s
}

func (s *sink) run() {
	defer close(s.done)
	for c := range s.q {
		if s.failed() == nil {
			if err := s.write(c); err != nil {
				s.fail(err)
			}
		}
		c.release()
	}
}

// fail records the first error.
func (s *sink) fail(err error) {
	s.mu.Lock()
	first := s.err == nil
	if first {
		s.err = err
	}
	s.mu.Unlock()
	if first && s.onFail != nil {
		s.onFail(err)
	}
}

// reset replaces the error, after a retry; nil marks the sink healthy again.
func (s *sink) reset(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *sink) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// close waits until everything queued was written or dropped. It may be called again.
func (s *sink) close() {
	s.closed.Do(func() { close(s.q) })
	<-s.done
}
