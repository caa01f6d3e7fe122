package verify

import "io"

const (
	aheadChunk = 256 << 10
	aheadDepth = 4 // chunks queued ahead: memory stays at (aheadDepth+2) * aheadChunk
)

// readAhead reads r in its own goroutine into a bounded queue of chunks, so that decryption and
// decompression run on separate cores. Read returns r's data, then r's error (io.EOF at the end).
// Close must be called once reading is over; it returns when the goroutine has stopped reading r.
type readAhead struct {
	ch   chan []byte   // filled chunks
	free chan []byte   // empty chunks
	errc chan error    // r's final error, after the last chunk
	stop chan struct{} // closed by Close
	done chan struct{} // closed when fill returns
	cur  []byte        // unread part of buf
	buf  []byte
	err  error
}

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{ch: make(chan []byte, aheadDepth), free: make(chan []byte, aheadDepth+2),
		errc: make(chan error, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for range aheadDepth + 2 {
		ra.free <- make([]byte, aheadChunk)
	}
	go ra.fill(r)
	return ra
}

func (ra *readAhead) fill(r io.Reader) {
	defer close(ra.done)
	defer close(ra.ch)
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.stop:
			return
		}
		n, err := io.ReadFull(r, b)
		if n > 0 {
			select {
			case ra.ch <- b[:n]:
			case <-ra.stop:
				return
			}
		}
		switch err {
		case nil:
			continue
		case io.ErrUnexpectedEOF:
			err = io.EOF
		}
		ra.errc <- err
		return
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		b, ok := <-ra.ch
		if !ok {
			ra.err = <-ra.errc
			return 0, ra.err
		}
		ra.cur, ra.buf = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	if len(ra.cur) == 0 {
		ra.free <- ra.buf[:aheadChunk]
	}
	return n, nil
}

// Close stops the goroutine and waits until it no longer reads r.
func (ra *readAhead) Close() {
	close(ra.stop)
	<-ra.done
}
