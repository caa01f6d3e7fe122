package backup

import (
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
)

// encoder is the chain plain -> zstd -> OpenPGP -> out. When both stages are on, OpenPGP runs in a
// goroutine of its own. Close flushes the stages in order.
type encoder struct {
	io.Writer
	zw    *zstd.Encoder
	async *asyncStage // between zstd and OpenPGP
	pw    io.WriteCloser
}

func newEncoder(out io.Writer, o *Options) (*encoder, error) {
	level, err := zstdLevel(o.CompressionLevel)
	if err != nil {
		return nil, err
	}
	e := &encoder{Writer: out}
	if o.Recipients != nil {
		if e.pw, err = crypto.Encrypt(e.Writer, o.Recipients); err != nil {
			return nil, fmt.Errorf("encrypt: %w", err)
		}
		e.Writer = e.pw
	}
	if o.Compression == catalog.CompressionZstd {
		if e.pw != nil {
			e.async = newAsyncStage(e.Writer)
			e.Writer = e.async
		}
		if e.zw, err = zstd.NewWriter(e.Writer, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1)); err != nil {
			e.abort()
			return nil, fmt.Errorf("compress: %w", err)
		}
		e.Writer = e.zw
	}
	return e, nil
}

// zstdLevel maps compression_level to a zstd level; "" is fastest.
func zstdLevel(level string) (zstd.EncoderLevel, error) {
	switch level {
	case "", "fastest":
		return zstd.SpeedFastest, nil
	case "default":
		return zstd.SpeedDefault, nil
	case "better":
		return zstd.SpeedBetterCompression, nil
	case "best":
		return zstd.SpeedBestCompression, nil
	}
	return 0, fmt.Errorf("compression_level %q: use fastest, default, better or best", level)
}

// Close flushes zstd, then OpenPGP. It never closes out. If a stage fails, the others are stopped.
func (e *encoder) Close() error {
	var stages []io.Closer
	if e.zw != nil {
		stages = append(stages, e.zw)
	}
	if e.async != nil {
		stages = append(stages, e.async)
	}
	if e.pw != nil {
		stages = append(stages, e.pw)
	}
	for _, c := range stages {
		if err := c.Close(); err != nil {
			e.abort()
			return fmt.Errorf("encode: %w", err)
		}
	}
	return nil
}

// abort stops the stages' goroutines without writing anything more to out.
func (e *encoder) abort() {
	if e.async != nil {
		e.async.abort()
	}
	if e.zw != nil {
		e.zw.Reset(io.Discard)
		e.zw.Close()
	}
	if e.async != nil {
		e.async.Close()
	}
}
