package cluster

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// stream builds a snapshot-shaped stream: n*512 bytes of data and the sha256 trailer.
func stream(n int) []byte {
	data := make([]byte, n*512)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	sum := sha256.Sum256(data)
	return append(data, sum[:]...)
}

func TestTrailerReader(t *testing.T) {
	good := stream(40)
	bad := bytes.Clone(good)
	bad[5000] ^= 1
	badTrailer := bytes.Clone(good)
	badTrailer[len(badTrailer)-1] ^= 1
	cases := []struct {
		name    string
		data    []byte
		wrap    func(io.Reader) io.Reader
		wantErr bool
	}{
		{"good, big reads", good, func(r io.Reader) io.Reader { return r }, false},
		{"good, one byte reads", good, iotest.OneByteReader, false},
		{"good, half reads", good, iotest.HalfReader, false},
		{"flipped data byte", bad, func(r io.Reader) io.Reader { return r }, true},
		{"flipped trailer byte", badTrailer, iotest.OneByteReader, true},
		{"truncated", good[:len(good)-100], func(r io.Reader) io.Reader { return r }, true},
		{"no trailer", good[:512*40], func(r io.Reader) io.Reader { return r }, true},
		{"empty", nil, func(r io.Reader) io.Reader { return r }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := NewTrailerReader(c.wrap(bytes.NewReader(c.data)))
			out, err := io.ReadAll(tr)
			if c.wantErr != errors.Is(err, ErrTrailer) {
				t.Fatalf("err = %v, want trailer error: %v", err, c.wantErr)
			}
			if !bytes.Equal(out, c.data) || tr.Size() != int64(len(c.data)) {
				t.Fatalf("passed %d bytes (size %d), want %d unchanged", len(out), tr.Size(), len(c.data))
			}
		})
	}
}

func TestFullSum(t *testing.T) {
	data := stream(7)
	tr := NewTrailerReader(iotest.HalfReader(bytes.NewReader(data)))
	if _, err := io.ReadAll(tr); err != nil {
		t.Fatal(err)
	}
	got, err := tr.FullSum()
	want := sha256.Sum256(data)
	if err != nil || !bytes.Equal(got, want[:]) {
		t.Fatalf("FullSum = %x, %v; want %x", got, err, want)
	}
}
