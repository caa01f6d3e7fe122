package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrTrailer reports a snapshot stream whose sha256 trailer does not match its content.
var ErrTrailer = errors.New("snapshot stream sha256 trailer mismatch")

// TrailerReader passes a snapshot stream through and, at EOF, checks that its last 32 bytes are the
// sha256 of everything before them, as etcd appends it. A mismatch is returned instead of io.EOF.
type TrailerReader struct {
	r    io.Reader
	h    hash.Hash
	tail [sha256.Size]byte
	nt   int // bytes held in tail
	n    int64
}

// NewTrailerReader wraps a snapshot stream.
func NewTrailerReader(r io.Reader) *TrailerReader {
	return &TrailerReader{r: r, h: sha256.New()}
}

// Size is the number of bytes read so far, trailer included.
func (t *TrailerReader) Size() int64 { return t.n }

func (t *TrailerReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.n += int64(n)
		t.hold(p[:n])
	}
	if err == io.EOF {
		if cerr := t.check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// hold hashes all but the last 32 bytes seen so far and keeps those in tail.
func (t *TrailerReader) hold(b []byte) {
	if len(b) >= sha256.Size {
		t.h.Write(t.tail[:t.nt])
		t.h.Write(b[:len(b)-sha256.Size])
		t.nt = copy(t.tail[:], b[len(b)-sha256.Size:])
		return
	}
	over := t.nt + len(b) - sha256.Size
	if over > 0 {
		t.h.Write(t.tail[:over])
		t.nt = copy(t.tail[:], t.tail[over:t.nt])
	}
	t.nt += copy(t.tail[t.nt:], b)
}

// FullSum returns the sha256 of the whole stream, trailer included (what sha256sum prints for the saved
// .db), without hashing the content twice. Call it after EOF.
func (t *TrailerReader) FullSum() ([]byte, error) {
	state, err := t.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	full := sha256.New()
	if err := full.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, err
	}
	full.Write(t.tail[:t.nt])
	return full.Sum(nil), nil
}

func (t *TrailerReader) check() error {
	if t.nt < sha256.Size || t.n%512 != sha256.Size {
		return fmt.Errorf("%w: stream of %d bytes has no trailer", ErrTrailer, t.n)
	}
	if !bytes.Equal(t.h.Sum(nil), t.tail[:]) {
		return ErrTrailer
	}
	return nil
}
