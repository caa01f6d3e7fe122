package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// plainStream is a segment's plain bytes holding revs, and the offsets at which the header and each
// revision end: the only places a stream may be cut and still decode.
func plainStream(revs ...*Revision) (data []byte, ends []int) {
	data = []byte(plainMagic)
	ends = []int{len(data)}
	var scratch []byte
	for _, r := range revs {
		scratch = encodeRevision(scratch[:0], r) // reused, as the segment does
		data = append(data, scratch...)
		ends = append(ends, len(data))
	}
	return data, ends
}

// decodeAll decodes a plain stream to its end.
func decodeAll(data []byte) ([]*Revision, error) {
	d, err := newDecoder(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var out []*Revision
	for {
		r, err := d.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

// kv is an event's key-value with every field set.
func kv(key, value []byte, create, mod, version, lease int64) *mvccpb.KeyValue {
	return &mvccpb.KeyValue{Key: key, Value: value, CreateRevision: create, ModRevision: mod, Version: version,
		Lease: lease}
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestRevisionRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 123456789, time.UTC)
	large := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16) // above etcd's request limit
	cases := []struct {
		name string
		rev  *Revision
	}{
		{"put", &Revision{Rev: 7, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("/registry/pods/a"), []byte("v"), 5, 7, 2, 0)}}}},
		{"delete", &Revision{Rev: 8, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.DELETE, Kv: kv([]byte("/registry/pods/a"), nil, 0, 8, 0, 0)}}}},
		{"empty value", &Revision{Rev: 9, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("k"), []byte{}, 9, 9, 1, 0)}}}},
		{"binary key and value", &Revision{Rev: 10, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv(allBytes(), append([]byte{0, 0xff, '\n'}, allBytes()...), 10, 10, 1, 0)}}}},
		{"empty key", &Revision{Rev: 11, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte{}, []byte("x"), 11, 11, 1, 0)}}}},
		{"large value", &Revision{Rev: 12, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("big"), large, 12, 12, 1, 0)}}}},
		{"zero lease", &Revision{Rev: 13, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("l"), []byte("v"), 13, 13, 1, 0)}}}},
		{"negative lease", &Revision{Rev: 14, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("l"), []byte("v"), 13, 14, 2, -1)}}}},
		{"extreme fields", &Revision{Rev: math.MaxInt64, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("m"), []byte("v"), math.MinInt64, math.MaxInt64, math.MaxInt64,
				math.MaxInt64)}}}},
		{"time before 1970", &Revision{Rev: 15, Time: time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC), Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("old"), []byte("v"), 15, 15, 1, 0)}}}},
		{"txn of puts and deletes", &Revision{Rev: 16, Time: at, Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("t1"), []byte("a"), 16, 16, 1, 0x694d7d5a3c1f0001)},
			{Type: mvccpb.DELETE, Kv: kv([]byte("t2"), nil, 0, 16, 0, 0)},
			{Type: mvccpb.PUT, Kv: kv([]byte("t3"), []byte("c"), 3, 16, 9, 0)}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, _ := plainStream(c.rev)
			got, err := decodeAll(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("decoded %d revisions, want 1", len(got))
			}
			sameRevision(t, got[0], c.rev)
		})
	}
	t.Run("all in one stream", func(t *testing.T) {
		var revs []*Revision
		for _, c := range cases {
			revs = append(revs, c.rev)
		}
		data, _ := plainStream(revs...)
		got, err := decodeAll(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(revs) {
			t.Fatalf("decoded %d revisions, want %d", len(got), len(revs))
		}
		for i := range revs {
			sameRevision(t, got[i], revs[i])
		}
	})
}

// sameRevision fails unless got is want, field by field.
func sameRevision(t testing.TB, got, want *Revision) {
	t.Helper()
	if got.Rev != want.Rev || !got.Time.Equal(want.Time) || len(got.Events) != len(want.Events) {
		t.Fatalf("revision %d at %s with %d events, want %d at %s with %d", got.Rev, got.Time, len(got.Events),
			want.Rev, want.Time, len(want.Events))
	}
	for i, g := range got.Events {
		w := want.Events[i]
		gk, wk := g.Kv, w.Kv
		if g.Type != w.Type || !bytes.Equal(gk.Key, wk.Key) || !bytes.Equal(gk.Value, wk.Value) ||
			gk.CreateRevision != wk.CreateRevision || gk.ModRevision != wk.ModRevision ||
			gk.Version != wk.Version || gk.Lease != wk.Lease {
			t.Fatalf("revision %d event %d: got %s %q (%d bytes) c%d m%d v%d l%d, want %s %q (%d bytes) c%d m%d v%d l%d",
				want.Rev, i, g.Type, trim(gk.Key), len(gk.Value), gk.CreateRevision, gk.ModRevision, gk.Version,
				gk.Lease, w.Type, trim(wk.Key), len(wk.Value), wk.CreateRevision, wk.ModRevision, wk.Version, wk.Lease)
		}
	}
}

func trim(b []byte) []byte { return b[:min(len(b), 32)] }

// truncationRevisions are a few revisions with every kind of field, for the cut tests.
func truncationRevisions() []*Revision {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return []*Revision{
		{Rev: 300, Time: at, Events: []*mvccpb.Event{{Type: mvccpb.PUT, Kv: kv([]byte("a"), []byte("va"), 300, 300, 1, 0)}}},
		{Rev: 301, Time: at.Add(time.Second), Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv([]byte("b"), bytes.Repeat([]byte{0x80}, 200), 301, 301, 1, -5)},
			{Type: mvccpb.DELETE, Kv: kv([]byte("a"), nil, 0, 301, 0, 0)}}},
		{Rev: 302, Time: at.Add(2 * time.Second), Events: []*mvccpb.Event{
			{Type: mvccpb.PUT, Kv: kv(allBytes(), []byte{}, 302, 302, 1, 1<<40)}}},
	}
}

// TestDecoderTruncated cuts a stream at every byte: a cut inside the header or a revision is an
// error wrapping io.ErrUnexpectedEOF; a cut between revisions decodes exactly the revisions before it.
func TestDecoderTruncated(t *testing.T) {
	revs := truncationRevisions()
	data, ends := plainStream(revs...)
	boundary := map[int]int{} // offset -> revisions before it
	for i, e := range ends {
		boundary[e] = i
	}
	for cut := 0; cut < len(data); cut++ {
		got, err := decodeNoPanic(t, data[:cut])
		n, atBoundary := boundary[cut]
		switch {
		case cut < len(plainMagic):
			if err == nil || !strings.Contains(err.Error(), "bad header") {
				t.Fatalf("cut at %d (inside the header): %v, want a bad header error", cut, err)
			}
		case atBoundary:
			if err != nil || len(got) != n {
				t.Fatalf("cut at %d (after %d revisions): %d revisions, %v", cut, n, len(got), err)
			}
		default:
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("cut at %d of %d: %d revisions, error %v; want one wrapping io.ErrUnexpectedEOF", cut,
					len(data), len(got), err)
			}
		}
	}
}

// TestWalkTruncated cuts a stream at every byte and walks it against the manifest of the whole:
// every cut is an error, the ones between revisions included.
func TestWalkTruncated(t *testing.T) {
	revs := truncationRevisions()
	data, _ := plainStream(revs...)
	m := &Manifest{FirstRevision: 300, LastRevision: 302, Revisions: 3, Events: 4}
	if err := walk(bytes.NewReader(data), m, func(*Revision) error { return nil }); err != nil {
		t.Fatalf("whole stream: %v", err)
	}
	for cut := 0; cut < len(data); cut++ {
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("cut at %d: panic %v", cut, p)
				}
			}()
			err = walk(bytes.NewReader(data[:cut]), m, func(*Revision) error { return nil })
		}()
		if err == nil {
			t.Fatalf("cut at %d of %d: walk succeeded", cut, len(data))
		}
	}
}

func decodeNoPanic(t *testing.T, data []byte) (revs []*Revision, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("decoding %d bytes: panic %v", len(data), p)
		}
	}()
	return decodeAll(data)
}

// header is a stream's magic and one revision's header: its number, time and event count.
func header(rev int64, events uint64) []byte {
	b := []byte(plainMagic)
	b = binary.AppendUvarint(b, uint64(rev))
	b = binary.AppendVarint(b, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return binary.AppendUvarint(b, events)
}

// eventHead is an event's type and revisions, before its key.
func eventHead(typ byte) []byte {
	b := []byte{typ}
	for range 4 {
		b = binary.AppendVarint(b, 1)
	}
	return b
}

func TestDecoderRefuses(t *testing.T) {
	good, _ := plainStream(truncationRevisions()...)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	uv := func(n uint64) []byte { return binary.AppendUvarint(nil, n) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad header"},
		{"other format", append([]byte("etcd-backupd journal 2\n"), good[len(plainMagic):]...), "bad header"},
		{"gzip", append([]byte{0x1f, 0x8b, 8, 0}, good...), "bad header"},
		{"zstd frame", append([]byte{0x28, 0xb5, 0x2f, 0xfd}, good...), "bad header"},
		{"event type 2", cat(header(5, 1), eventHead(2), uv(1), []byte("k"), uv(0)), "bad event type 2"},
		{"event type 255", cat(header(5, 1), eventHead(255), uv(1), []byte("k"), uv(0)), "bad event type 255"},
		{"no event", header(5, 0), "bad event count 0"},
		{"event count over maxRecord", header(5, maxRecord+1), "bad event count"},
		{"event count 2^63", header(5, 1<<63), "bad event count"},
		{"key over maxRecord", cat(header(5, 1), eventHead(typePut), uv(maxRecord+1)), "too large"},
		{"value over maxRecord", cat(header(5, 1), eventHead(typePut), uv(1), []byte("k"), uv(maxRecord+1)), "too large"},
		{"key of 2^63 bytes", cat(header(5, 1), eventHead(typePut), uv(1<<63)), "too large"},
		{"varint overflow", cat([]byte(plainMagic), bytes.Repeat([]byte{0xff}, 11)), "overflow"},
		{"fewer events than counted", cat(header(5, 2), eventHead(typePut), uv(1), []byte("k"), uv(0)), "truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeNoPanic(t, c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestDecoderOversizeNoAllocation refuses lengths above maxRecord before allocating them: a damaged
// length costs nothing, whatever it says.
func TestDecoderOversizeNoAllocation(t *testing.T) {
	uv := func(n uint64) []byte { return binary.AppendUvarint(nil, n) }
	for _, n := range []uint64{maxRecord + 1, 1 << 40, math.MaxUint64} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := bytes.Join([][]byte{header(5, 1), eventHead(typePut), uv(n), []byte("short")}, nil)
			d, err := newDecoder(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = d.next()
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "too large") {
				t.Fatalf("error %v, want a field too large", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Fatalf("refusing a length of %d allocated %d bytes", n, alloc)
			}
		})
	}
}
