package journal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// Revision is every event etcd applied at one revision, in watch order, and when this daemon
// received it.
type Revision struct {
	Rev    int64
	Time   time.Time
	Events []*mvccpb.Event
}

// size is about what the revision takes encoded, for segment_max_bytes.
func (r *Revision) size() int {
	n := 24
	for _, ev := range r.Events {
		n += 40 + len(ev.Kv.Key) + len(ev.Kv.Value)
	}
	return n
}

// plainMagic starts every segment's plain bytes: a reader refuses anything else before parsing.
const plainMagic = "etcd-backupd journal 1\n"

// maxRecord bounds one encoded key or value, so that a damaged length cannot make a reader allocate
// without limit (etcd refuses requests above its --max-request-bytes, 1.5 MiB by default).
const maxRecord = 64 << 20

// Event types as encoded: etcd's own values.
const (
	typePut    = byte(mvccpb.Event_PUT)
	typeDelete = byte(mvccpb.Event_DELETE)
)

// encodeRevision appends r to buf: revision, time (unix ns) and event count as varints, then each
// event as its type and its key-value's fields: create, mod revision, version, lease, then the key
// and the value, each after its length.
func encodeRevision(buf []byte, r *Revision) []byte {
	buf = binary.AppendUvarint(buf, uint64(r.Rev))
	buf = binary.AppendVarint(buf, r.Time.UnixNano())
	buf = binary.AppendUvarint(buf, uint64(len(r.Events)))
	for _, ev := range r.Events {
		kv := ev.Kv
		buf = append(buf, byte(ev.Type))
		buf = binary.AppendVarint(buf, kv.CreateRevision)
		buf = binary.AppendVarint(buf, kv.ModRevision)
		buf = binary.AppendVarint(buf, kv.Version)
		buf = binary.AppendVarint(buf, kv.Lease)
		buf = binary.AppendUvarint(buf, uint64(len(kv.Key)))
		buf = append(buf, kv.Key...)
		buf = binary.AppendUvarint(buf, uint64(len(kv.Value)))
		buf = append(buf, kv.Value...)
	}
	return buf
}

// decoder reads revisions back from a segment's plain bytes.
type decoder struct {
	br *bufio.Reader
}

func newDecoder(r io.Reader) (*decoder, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	magic := make([]byte, len(plainMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != plainMagic {
		return nil, errors.New("not a journal segment (bad header)")
	}
	return &decoder{br: br}, nil
}

// next returns the next revision, or io.EOF after the last.
func (d *decoder) next() (*Revision, error) {
	rev, err := binary.ReadUvarint(d.br)
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, truncated(err)
	}
	ns, err := binary.ReadVarint(d.br)
	if err != nil {
		return nil, truncated(err)
	}
	n, err := binary.ReadUvarint(d.br)
	if err != nil {
		return nil, truncated(err)
	}
	if n == 0 || n > maxRecord {
		return nil, fmt.Errorf("revision %d: bad event count %d", rev, n)
	}
	r := &Revision{Rev: int64(rev), Time: time.Unix(0, ns).UTC(), Events: make([]*mvccpb.Event, 0, min(n, 1024))}
	for range n {
		ev, err := d.event()
		if err != nil {
			return nil, fmt.Errorf("revision %d: %w", rev, err)
		}
		r.Events = append(r.Events, ev)
	}
	return r, nil
}

func (d *decoder) event() (*mvccpb.Event, error) {
	t, err := d.br.ReadByte()
	if err != nil {
		return nil, truncated(err)
	}
	if t != typePut && t != typeDelete {
		return nil, fmt.Errorf("bad event type %d", t)
	}
	kv := &mvccpb.KeyValue{}
	for _, f := range []*int64{&kv.CreateRevision, &kv.ModRevision, &kv.Version, &kv.Lease} {
		if *f, err = binary.ReadVarint(d.br); err != nil {
			return nil, truncated(err)
		}
	}
	if kv.Key, err = d.bytes(); err != nil {
		return nil, err
	}
	if kv.Value, err = d.bytes(); err != nil {
		return nil, err
	}
	return &mvccpb.Event{Type: mvccpb.Event_EventType(t), Kv: kv}, nil
}

// bytes reads a length and that many bytes.
func (d *decoder) bytes() ([]byte, error) {
	n, err := binary.ReadUvarint(d.br)
	if err != nil {
		return nil, truncated(err)
	}
	if n > maxRecord {
		return nil, fmt.Errorf("field of %d bytes: too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.br, b); err != nil {
		return nil, truncated(err)
	}
	return b, nil
}

func truncated(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("truncated segment: %w", err)
}
