package backup

import (
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
)

// encoder is the chain plain -> zstd -> OpenPGP -> out. Close flushes the stages in order.
type encoder struct {
	io.Writer
	closers []io.Closer
}

func newEncoder(out io.Writer, compression string, rcpt *crypto.Recipients) (*encoder, error) {
	e := &encoder{Writer: out}
	if rcpt != nil {
		pw, err := crypto.Encrypt(e.Writer, rcpt)
		if err != nil {
			return nil, fmt.Errorf("encrypt: %w", err)
		}
		e.Writer = pw
		e.closers = append([]io.Closer{pw}, e.closers...)
	}
	if compression == catalog.CompressionZstd {
		zw, err := zstd.NewWriter(e.Writer,
			zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderConcurrency(2))
		if err != nil {
			return nil, fmt.Errorf("compress: %w", err)
		}
		e.Writer = zw
		e.closers = append([]io.Closer{zw}, e.closers...)
	}
	return e, nil
}

// Close flushes zstd, then OpenPGP. It never closes out.
func (e *encoder) Close() error {
	for _, c := range e.closers {
		if err := c.Close(); err != nil {
			return fmt.Errorf("encode: %w", err)
		}
	}
	return nil
}
