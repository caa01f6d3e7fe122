package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// maxWindow bounds the zstd window, and so the decoder's memory, whatever the stream asks for.
const maxWindow = 128 << 20

// Sums are the sizes and sha256 sums seen in one pass over a backup.
type Sums struct {
	StoredSize   int64
	StoredSHA256 string
	PlainSize    int64
	PlainSHA256  string
}

// Sum counts what is written to it and hashes it with sha256: the size and sum a manifest records.
type Sum struct {
	h hash.Hash
	n int64
}

// NewSum returns an empty Sum.
func NewSum() *Sum { return &Sum{h: sha256.New()} }

func (c *Sum) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}

// Size is the number of bytes written.
func (c *Sum) Size() int64 { return c.n }

// Hex is the sha256 of what was written, in hex.
func (c *Sum) Hex() string { return hex.EncodeToString(c.h.Sum(nil)) }

// source reads the stored object, counting and hashing it, and keeps its first error apart from
// the errors of the stages after it. It stops at the first read after ctx ends: a local file's
// reader never looks at ctx, and every stage after it reads through here.
type source struct {
	ctx  context.Context
	r    io.Reader
	c    *Sum
	prog io.Writer
	err  error
}

func (s *source) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		if s.err == nil {
			s.err = err
		}
		return 0, err
	}
	n, err := s.r.Read(p)
	if n > 0 {
		s.c.Write(p[:n])
		if s.prog != nil {
			s.prog.Write(p[:n])
		}
	}
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// sink counts and hashes the plain snapshot and passes it to w (nil: nowhere), keeping w's error.
type sink struct {
	w   io.Writer
	c   *Sum
	err error
}

func (s *sink) Write(p []byte) (int, error) {
	s.c.Write(p)
	if s.w == nil {
		return len(p), nil
	}
	n, err := s.w.Write(p)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

// stageError names the stage a read failed in.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// stageReader tags the errors of r with a stage name.
type stageReader struct {
	r     io.Reader
	stage string
}

func (s *stageReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		var se *stageError
		if !errors.As(err, &se) {
			err = &stageError{s.stage, err}
		}
	}
	return n, err
}

// stream reads the backup's object, decrypts and decompresses it into w (nil: discard) and checks
// every size and sum against the manifest. w has been given the whole snapshot only if it returns nil.
func stream(ctx context.Context, o *Options, m *catalog.Manifest, w io.Writer) (Sums, error) {
	if err := m.CheckPlace(o.Catalog.Layout, o.Catalog.Layout.ManifestKey(m.ID)); err != nil {
		return Sums{}, err
	}
	rc, err := o.Catalog.Store.NewReader(ctx, m.Object.Key)
	if errors.Is(err, storage.ErrNotFound) {
		return Sums{}, fmt.Errorf("the data object is missing: %w", err)
	}
	if err != nil {
		return Sums{}, err
	}
	defer rc.Close()
	src := &source{ctx: ctx, r: rc, c: NewSum()}
	if o.Progress != nil {
		p := o.Progress(m.Object.Size)
		defer p.Close()
		src.prog = p
	}
	out := &sink{w: w, c: NewSum()}
	err = decode(src, out, m, o.Identity)
	return check(m, src, out, err)
}

// decode runs the decryption and decompression stages the manifest names, from src into out.
func decode(src io.Reader, out io.Writer, m *catalog.Manifest, id *crypto.Identity) error {
	r, err := decrypt(src, m, id)
	if err != nil {
		return err
	}
	switch m.Object.Compression {
	case catalog.CompressionZstd:
		ra := newReadAhead(r)
		defer ra.Close()
		zr, err := zstd.NewReader(ra, zstd.WithDecoderConcurrency(zstdConcurrency(r != src)),
			zstd.WithDecoderMaxWindow(maxWindow))
		if err != nil {
			return fmt.Errorf("decompress: %w", err)
		}
		_, err = zr.WriteTo(out)
		zr.Close()
		if err != nil && r != src && !isStage(err, "decrypt") && !isSink(err, out) {
			// Tampered ciphertext decrypts to garbage long before OpenPGP reports it at the end:
			// read on, so that the integrity check names the cause.
			if _, derr := io.Copy(io.Discard, ra); derr != nil {
				return fmt.Errorf("%w (decompress: %v)", stage(derr, "decrypt"), err)
			}
		}
		return stage(err, "decompress")
	case catalog.CompressionNone:
		_, err := io.Copy(out, r)
		return stage(err, "read")
	}
	return fmt.Errorf("manifest %s: unknown compression %q", m.ID, m.Object.Compression)
}

// zstdConcurrency is the number of goroutines the zstd decoder runs. Its own goroutines pay off
// only on a core the others leave free: decryption takes one (readAhead's), and decompression
// shares the other with the sha256 of the plain snapshot and its write. On 2 cores one goroutine
// decodes a 2 GB encrypted backup 10 to 15% faster (3.2 s against 3.7 s, with 0.4 CPU s less).
func zstdConcurrency(encrypted bool) int {
	if encrypted && runtime.GOMAXPROCS(0) <= 2 {
		return 1
	}
	return 2
}

// decrypt returns the plaintext of src, or src itself when the backup is not encrypted.
func decrypt(src io.Reader, m *catalog.Manifest, id *crypto.Identity) (io.Reader, error) {
	switch m.Object.Encryption {
	case catalog.EncryptionPGP:
		if id == nil {
			return nil, fmt.Errorf("backup %s is encrypted (to %s): no private key given", m.ID,
				strings.Join(m.Object.Recipients, ", "))
		}
		pr, err := crypto.Decrypt(src, id)
		if err != nil {
			return nil, &stageError{"decrypt", err}
		}
		return &stageReader{pr, "decrypt"}, nil
	case catalog.EncryptionNone:
		return src, nil
	}
	return nil, fmt.Errorf("manifest %s: unknown encryption %q", m.ID, m.Object.Encryption)
}

// isSink reports whether err is the writer's own failure.
func isSink(err error, out io.Writer) bool {
	s, ok := out.(*sink)
	return ok && s.err != nil && errors.Is(err, s.err)
}

// isStage reports whether err failed in the named stage.
func isStage(err error, name string) bool {
	var se *stageError
	return errors.As(err, &se) && se.stage == name
}

// stage names err's stage unless it already has one.
func stage(err error, name string) error {
	var se *stageError
	if err == nil || errors.As(err, &se) {
		return err
	}
	return &stageError{name, err}
}
