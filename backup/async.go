package backup

import (
	"errors"
	"io"
)

var errStageAborted = errors.New("encode: aborted")

// asyncStage moves a writer to its own goroutine behind a bounded queue, so that the stages before
// and after it (zstd and OpenPGP) run on both cores at once.
type asyncStage struct {
	*sink
	chunker
}

func newAsyncStage(next io.Writer) *asyncStage {
	write := func(b []byte) error { _, err := next.Write(b); return err }
	return &asyncStage{sink: newSink(chunkQueue, write, nil)}
}

func (s *asyncStage) Write(p []byte) (int, error) {
	if err := s.failed(); err != nil {
		return 0, err
	}
	s.add(p, s.send)
	return len(p), nil
}

func (s *asyncStage) send(b *[]byte) { s.q <- newChunk(b, 1) }

// Close hands over what is left and waits until the next stage has written it all.
func (s *asyncStage) Close() error {
	s.flush(s.send)
	s.close()
	return s.failed()
}

// abort makes every later write fail, so the stage before can be closed without output.
func (s *asyncStage) abort() { s.fail(errStageAborted) }
