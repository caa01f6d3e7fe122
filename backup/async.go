package backup

import (
	"errors"
	"sync"
)

var errStageAborted = errors.New("encode: aborted")

// asyncStage moves a writer to its own goroutine behind a bounded queue, so that the stages before
// and after it (zstd and OpenPGP) run on both cores at once.
type asyncStage struct {
	next    interface{ Write([]byte) (int, error) }
	q       chan *[]byte
	cur     *[]byte
	done    chan struct{}
	mu      sync.Mutex
	err     error
	aborted bool
}

func newAsyncStage(next interface{ Write([]byte) (int, error) }) *asyncStage {
	s := &asyncStage{next: next, q: make(chan *[]byte, chunkQueue), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *asyncStage) run() {
	defer close(s.done)
	for b := range s.q {
		if s.failed() == nil {
			if _, err := s.next.Write(*b); err != nil {
				s.setErr(err)
			}
		}
		chunkPool.Put(b)
	}
}

func (s *asyncStage) Write(p []byte) (int, error) {
	if err := s.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		if s.cur == nil {
			s.cur = chunkPool.Get().(*[]byte)
			*s.cur = (*s.cur)[:0]
		}
		k := copy((*s.cur)[len(*s.cur):cap(*s.cur)], p)
		*s.cur = (*s.cur)[:len(*s.cur)+k]
		p = p[k:]
		if len(*s.cur) == cap(*s.cur) {
			s.q <- s.cur
			s.cur = nil
		}
	}
	return n, nil
}

// Close hands over what is left and waits until the next stage has written it all.
func (s *asyncStage) Close() error {
	if s.cur != nil {
		s.q <- s.cur
		s.cur = nil
	}
	close(s.q)
	<-s.done
	return s.failed()
}

// abort makes every later write fail, so the stage before can be closed without output.
func (s *asyncStage) abort() { s.setErr(errStageAborted) }

func (s *asyncStage) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *asyncStage) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
