package verify

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestReadAhead passes data of several sizes through, in odd read sizes, then the source's error.
func TestReadAhead(t *testing.T) {
	errBroken := errors.New("broken source")
	cases := []struct {
		name string
		size int
		err  error // the source's error after its data; nil for io.EOF
	}{
		{"empty", 0, nil},
		{"one byte", 1, nil},
		{"one chunk", aheadChunk, nil},
		{"many chunks", aheadChunk*(aheadDepth+3) + 17, nil},
		{"error after data", aheadChunk*2 + 5, errBroken},
		{"error at once", 0, errBroken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := make([]byte, c.size)
			rng := rand.New(rand.NewPCG(1, uint64(c.size)))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			var src io.Reader = iotest.HalfReader(bytes.NewReader(data))
			if c.err != nil {
				src = io.MultiReader(src, iotest.ErrReader(c.err))
			}
			ra := newReadAhead(src)
			defer ra.Close()
			var got bytes.Buffer
			var err error
			for i := 0; err == nil; i++ {
				b := make([]byte, []int{1, 7, 1000, aheadChunk + 3}[i%4])
				var n int
				n, err = ra.Read(b)
				got.Write(b[:n])
			}
			if err == io.EOF {
				err = nil
			}
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("read %d bytes, want %d, or they differ", got.Len(), len(data))
			}
			if n, err := ra.Read(make([]byte, 1)); n != 0 || err == nil {
				t.Fatalf("Read after the end = %d, %v", n, err)
			}
		})
	}
}

// TestReadAheadCloseEarly stops reading in the middle: Close returns and the source is no longer read.
func TestReadAheadCloseEarly(t *testing.T) {
	src := &countingReader{r: bytes.NewReader(make([]byte, aheadChunk*50))}
	ra := newReadAhead(src)
	if _, err := io.ReadFull(ra, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	n := src.n
	if n > aheadChunk*(aheadDepth+2) {
		t.Fatalf("read %d bytes ahead, more than the queue holds", n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
