package crypto

import (
	"bufio"
	"crypto"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// writeSize is the size of the pieces handed to the OpenPGP writer. It buffers each write whole and
// emits one packet chunk per write, so small writes cost CPU and large ones cost memory.
const writeSize = 64 << 10

var errClosed = errors.New("write to a closed encrypt stream")

// Encrypt returns a WriteCloser that encrypts what is written to it for every recipient and writes
// the binary OpenPGP message to w: SEIPD v1 with MDC, no compression, no signature. Close writes the
// last packets to w, but does not close w.
func Encrypt(w io.Writer, r *Recipients) (io.WriteCloser, error) {
	if r == nil || len(r.entities) == 0 {
		return nil, errors.New("encrypt: no recipients")
	}
	cfg := &packet.Config{
		DefaultCipher:          packet.CipherAES256,
		DefaultHash:            crypto.SHA256,
		DefaultCompressionAlgo: packet.CompressionNone,
	}
	pt, err := openpgp.Encrypt(w, r.entities, nil, &openpgp.FileHints{IsBinary: true}, cfg)
	if err != nil {
		return nil, fmt.Errorf("encrypt to %s: %w", strings.Join(r.fprs, ", "), err)
	}
	return &encryptWriter{buf: bufio.NewWriterSize(pieces{pt}, writeSize), pt: pt}, nil
}

// encryptWriter gathers small writes and splits large ones into writeSize pieces.
type encryptWriter struct {
	buf    *bufio.Writer
	pt     io.WriteCloser
	closed bool
}

func (e *encryptWriter) Write(p []byte) (int, error) {
	if e.closed {
		return 0, errClosed
	}
	return e.buf.Write(p)
}

// Close ends the OpenPGP message.
func (e *encryptWriter) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.buf.Flush(); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := e.pt.Close(); err != nil {
		return fmt.Errorf("finish OpenPGP message: %w", err)
	}
	return nil
}

// pieces writes to w in pieces of at most writeSize bytes.
type pieces struct{ w io.Writer }

func (c pieces) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		piece := p[:min(len(p), writeSize)]
		m, err := c.w.Write(piece)
		n += m
		if err == nil && m < len(piece) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}
