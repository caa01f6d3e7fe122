package journal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
)

// Encoding is how segments are stored: the backups' compression and recipients.
type Encoding struct {
	Compression string             // catalog.CompressionZstd or catalog.CompressionNone
	Recipients  *crypto.Recipients // nil: not encrypted
}

// segment is the open segment: revisions encoded, compressed and encrypted into memory as they
// come, so that no plaintext touches the disk and sealing only closes the streams.
type segment struct {
	m       Manifest
	plain   *summer
	stored  *summer
	out     bytes.Buffer
	zw      *zstd.Encoder // nil without compression
	pw      io.WriteCloser
	w       io.Writer // where plain bytes go
	scratch []byte
}

// summer counts and hashes what passes through it.
type summer struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newSummer(w io.Writer) *summer { return &summer{w: w, h: sha256.New()} }

func (s *summer) Write(p []byte) (int, error) {
	s.h.Write(p)
	s.n += int64(len(p))
	return s.w.Write(p)
}

func (s *summer) hex() string { return hex.EncodeToString(s.h.Sum(nil)) }

// newSegment opens a segment whose first revision is first. zw is reused from segment to segment;
// the output buffer starts at sizeHint bytes, so that it does not grow by doubling (zeroing and
// copying what it holds each time).
func newSegment(cluster string, first int64, enc Encoding, zw *zstd.Encoder, sizeHint int) (*segment, error) {
	s := &segment{m: Manifest{Format: Format, ClusterName: cluster, FirstRevision: first}}
	s.out.Grow(sizeHint + sizeHint/8)
	s.stored = newSummer(&s.out)
	var w io.Writer = s.stored
	if enc.Recipients != nil {
		pw, err := crypto.Encrypt(w, enc.Recipients)
		if err != nil {
			return nil, err
		}
		s.pw, w = pw, pw
		s.m.Object.Encryption = catalog.EncryptionPGP
		s.m.Object.Recipients = enc.Recipients.Fingerprints()
	} else {
		s.m.Object.Encryption = catalog.EncryptionNone
	}
	s.m.Object.Compression = catalog.CompressionNone
	if enc.Compression == catalog.CompressionZstd {
		zw.Reset(w)
		s.zw, w = zw, zw
		s.m.Object.Compression = catalog.CompressionZstd
	}
	s.plain = newSummer(w)
	s.w = s.plain
	if _, err := io.WriteString(s.w, plainMagic); err != nil {
		return nil, err
	}
	return s, nil
}

// add appends one revision, which must follow the segment's last.
func (s *segment) add(r *Revision) error {
	if s.m.Revisions == 0 {
		s.m.FirstTime = r.Time
	}
	s.scratch = encodeRevision(s.scratch[:0], r)
	if _, err := s.w.Write(s.scratch); err != nil {
		return fmt.Errorf("encode revision %d: %w", r.Rev, err)
	}
	s.m.LastRevision, s.m.LastTime = r.Rev, r.Time
	s.m.Revisions++
	s.m.Events += len(r.Events)
	return nil
}

func (s *segment) empty() bool { return s.m.Revisions == 0 }

// size is the plain bytes so far.
func (s *segment) size() int64 { return s.plain.n }

// sealed is a segment ready to commit: its manifest and its stored bytes.
type sealed struct {
	m    *Manifest
	data []byte
}

// seal closes the streams and completes the manifest. l names the data key.
func (s *segment) seal(l Layout, previous, base string) (*sealed, error) {
	if s.zw != nil {
		if err := s.zw.Close(); err != nil {
			return nil, fmt.Errorf("compress segment: %w", err)
		}
	}
	if s.pw != nil {
		if err := s.pw.Close(); err != nil {
			return nil, fmt.Errorf("encrypt segment: %w", err)
		}
	}
	m := s.m
	m.Name = Name(m.FirstRevision, m.LastRevision)
	m.Previous, m.Base = previous, base
	m.CreatedAt = time.Now().UTC()
	m.ToolVersion = buildinfo.Get()
	m.Writer = writer()
	m.Plain = PlainInfo{Size: s.plain.n, SHA256: s.plain.hex()}
	m.Object.Key = l.DataKey(m.Name, newWrite(), m.Object.Compression, s.pw != nil)
	m.Object.Size, m.Object.SHA256 = s.stored.n, s.stored.hex()
	return &sealed{m: &m, data: s.out.Bytes()}, nil
}

// newWrite is a random write suffix for a data key.
func newWrite() string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

func writer() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
