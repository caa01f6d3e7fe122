package journal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
)

// maxWindow bounds the zstd window, and so the decoder's memory, whatever a segment asks for.
const maxWindow = 64 << 20

// Read downloads a segment, checks it against its manifest and calls fn for each revision in order.
// Every check names the segment: stored size and sha256 (before anything is decoded), then the
// revisions (within the manifest's range, increasing, every event at its revision), the counts,
// and the plain size and sha256 at the end. fn sees revisions before the last checks; a caller
// that must not act on a bad segment works on a scratch copy, as restore does.
func (j *Journal) Read(ctx context.Context, m *Manifest, id *crypto.Identity, fn func(*Revision) error) error {
	data, err := j.Stored(ctx, m)
	if err != nil {
		return err
	}
	if err := decodeSegment(data, m, id, fn); err != nil {
		return fmt.Errorf("segment %s at %s: %w", m.Name, j.Store, err)
	}
	return nil
}

func decodeSegment(data []byte, m *Manifest, id *crypto.Identity, fn func(*Revision) error) error {
	var r io.Reader = bytes.NewReader(data)
	switch m.Object.Encryption {
	case catalog.EncryptionPGP:
		if id == nil {
			return fmt.Errorf("encrypted (to %s): no private key given", strings.Join(m.Object.Recipients, ", "))
		}
		pr, err := crypto.Decrypt(r, id)
		if err != nil {
			return fmt.Errorf("decrypt: %w", err)
		}
		r = pr
	case catalog.EncryptionNone:
	default:
		return fmt.Errorf("unknown encryption %q", m.Object.Encryption)
	}
	switch m.Object.Compression {
	case catalog.CompressionZstd:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxWindow))
		if err != nil {
			return fmt.Errorf("decompress: %w", err)
		}
		defer zr.Close()
		r = zr
	case catalog.CompressionNone:
	default:
		return fmt.Errorf("unknown compression %q", m.Object.Compression)
	}
	plain := newSummer(io.Discard)
	if err := walk(io.TeeReader(r, plain), m, fn); err != nil {
		return err
	}
	// Read to the end: OpenPGP checks its integrity only there.
	if _, err := io.Copy(plain, r); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if plain.n != m.Plain.Size || plain.hex() != m.Plain.SHA256 {
		return fmt.Errorf("plain bytes differ from the manifest (%d bytes, manifest says %d)", plain.n, m.Plain.Size)
	}
	return nil
}

// walk decodes the revisions and checks them against the manifest.
func walk(r io.Reader, m *Manifest, fn func(*Revision) error) error {
	d, err := newDecoder(r)
	if err != nil {
		return err
	}
	prev, revs, events := m.FirstRevision-1, 0, 0
	for {
		rev, err := d.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rev.Rev <= prev || rev.Rev > m.LastRevision {
			return fmt.Errorf("revision %d out of order or outside %d-%d", rev.Rev, m.FirstRevision, m.LastRevision)
		}
		for _, ev := range rev.Events {
			if ev.Kv.ModRevision != rev.Rev {
				return fmt.Errorf("revision %d holds an event of revision %d", rev.Rev, ev.Kv.ModRevision)
			}
		}
		prev, revs, events = rev.Rev, revs+1, events+len(rev.Events)
		if err := fn(rev); err != nil {
			return err
		}
	}
	if prev != m.LastRevision || revs != m.Revisions || events != m.Events {
		return fmt.Errorf("holds %d revisions and %d events up to revision %d; the manifest says %d, %d, up to %d",
			revs, events, prev, m.Revisions, m.Events, m.LastRevision)
	}
	return nil
}
