package snapstat

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/coreos/go-semver/semver"
)

// What a bucket's contents count for.
const (
	modeRoot  = iota // the root bucket: every element is a bucket
	modeHash         // hashed
	modeKeys         // hashed, and its entries are revisions (the "key" bucket)
	modeMeta         // hashed, and holds storageVersion (the "meta" bucket)
	modeCheck        // nested in a bucket: checked, not hashed
)

const maxDepth = 64

type walker struct {
	s     *Scanner
	hwm   uint64
	reach []uint64 // bitmap of reachable pages
	h     uint32
	live  *liveCount // the key bucket's entries, in key order
	buf   []uint64   // a leaf's revisions, read back
	meta  bool       // the root holds the "meta" bucket
	st    Status
}

// Status checks the database the stream held, as bbolt's Check does, and reports on it the way
// etcdutl snapshot status does. Call it once the whole stream was written.
func (s *Scanner) Status() (Status, error) {
	st, err := s.status()
	if err != nil {
		return st, fmt.Errorf("snapshot status: %w", err)
	}
	return st, nil
}

func (s *Scanner) status() (st Status, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if s.err != nil {
		return st, s.err
	}
	if s.m.pgid == 0 { // a short stream whose meta page 0 is damaged
		if _, err := s.start(s.win, true); err != nil {
			return st, err
		}
		s.run(s.win, s.off)
	}
	m := s.m
	size := int64(m.pgid) * s.ps
	if s.total < size {
		return st, fmt.Errorf("truncated: %d bytes of %d", s.total, size)
	}
	w := &walker{s: s, hwm: m.pgid, reach: make([]uint64, (m.pgid+63)/64),
		live: newLiveCount(s.revs.len(), s.parts, s.spill)}
	defer w.live.close()
	w.mark(0)
	w.mark(1)
	if m.freelist != noFreelist {
		r, ok := s.lookup(m.freelist)
		if ok && r.kind == kindBad {
			return st, s.ext[r.id].err
		}
		if !ok || r.kind != kindFreelist {
			return st, fmt.Errorf("page %d: not the freelist", m.freelist)
		}
		if err := w.markSpan(&r); err != nil {
			return st, err
		}
	}
	if _, err := w.tree(m.root, modeRoot, 0, nil, nil); err != nil {
		return st, err
	}
	if m.freelist != noFreelist {
		if err := w.checkFree(); err != nil {
			return st, err
		}
	}
	if !w.meta {
		return st, errors.New("no meta bucket: not an etcd database")
	}
	w.st.TotalKeys, w.s.empty = w.live.count(w.s.fp(nil) &^ 1)
	w.st.Hash, w.st.TotalSize = w.h, size
	return w.st, nil
}

// meta picks the valid meta page with the highest transaction, as bbolt does.
func (s *Scanner) meta() (meta, error) {
	a, b := s.metas[0], s.metas[1]
	if b.txid > a.txid {
		a, b = b, a
	}
	if a.err == nil {
		return a, nil
	}
	if b.err == nil {
		return b, nil
	}
	return a, fmt.Errorf("meta pages: %w", a.err)
}

func (w *walker) mark(id uint64) error {
	if id >= w.hwm {
		return fmt.Errorf("page %d: out of bounds: %d", id, w.hwm)
	}
	if w.reach[id/64]&(1<<(id%64)) != 0 {
		return fmt.Errorf("page %d: multiple references", id)
	}
	w.reach[id/64] |= 1 << (id % 64)
	return nil
}

func (w *walker) markSpan(r *rec) error {
	for i := uint64(0); i <= uint64(r.overflow); i++ {
		if err := w.mark(uint64(r.id) + i); err != nil {
			return err
		}
	}
	return nil
}

// tree walks the pages under id in key order, checking that their keys lie in [lo, hi) as bbolt's
// check does, and returns the largest key under id.
func (w *walker) tree(id uint64, mode, depth int, lo, hi []byte) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("page %d: tree deeper than %d", id, maxDepth)
	}
	rv, ok := w.s.lookup(id)
	r := &rv
	if !ok {
		if id >= w.hwm {
			return nil, fmt.Errorf("page %d: out of bounds: %d", id, w.hwm)
		}
		return nil, fmt.Errorf("page %d: not a branch or leaf page", id)
	}
	if err := w.markSpan(r); err != nil {
		return nil, err
	}
	switch r.kind {
	case kindBad:
		return nil, w.s.ext[r.id].err
	case kindFreelist:
		return nil, fmt.Errorf("page %d: invalid type: freelist", id)
	case kindBranch:
		return w.branch(r, mode, depth, lo, hi)
	}
	l := leaf{crc: r.crc, n: uint64(r.n), revOK: r.revOK}
	if r.cnt > 0 {
		w.buf = w.s.revs.read(w.buf[:0], uint64(r.off), uint64(r.cnt)+1)
		l.revs, l.last = w.buf[:r.cnt], int64(w.buf[r.cnt])
	}
	if x := w.s.ext[r.id]; x != nil {
		l.items, l.version, l.hasVer = x.items, x.version, x.hasVer
	}
	var last []byte
	if r.key != noKeys {
		var first []byte
		first, next := w.s.nextKey(r.key)
		last, _ = w.s.nextKey(next)
		if lo != nil && bytes.Compare(lo, first) > 0 {
			return nil, fmt.Errorf("page %d: first key below its branch key", id)
		}
		if hi != nil && bytes.Compare(last, hi) >= 0 {
			return nil, fmt.Errorf("page %d: last key not below the next branch key", id)
		}
	}
	return last, w.leaf(id, &l, mode, depth)
}

func (w *walker) branch(r *rec, mode, depth int, lo, hi []byte) ([]byte, error) {
	run, off := lo, r.key
	kids := w.s.kids.read(nil, uint64(r.off), uint64(r.cnt)) // its own: the walk below reads others
	var key, max []byte
	for i, kid := range kids {
		if i == 0 {
			key, off = w.s.nextKey(off)
		}
		switch c := bytes.Compare(run, key); {
		case i == 0 && run != nil && c > 0, i > 0 && c >= 0:
			return nil, fmt.Errorf("page %d: branch key %d out of order", r.id, i)
		case hi != nil && bytes.Compare(key, hi) >= 0:
			return nil, fmt.Errorf("page %d: branch key %d not below the next key of its parent", r.id, i)
		}
		next := hi
		var nextKeyOff uint32
		if i+1 < len(kids) {
			next, nextKeyOff = w.s.nextKey(off)
		}
		m, err := w.tree(kid, mode, depth+1, key, next)
		if err != nil {
			return nil, err
		}
		run, max, key, off = m, m, next, nextKeyOff
	}
	return max, nil
}

func (w *walker) leaf(id uint64, l *leaf, mode, depth int) error {
	items := l.items
	if items == nil && l.n > 0 {
		items = []item{{crc: l.crc, n: l.n}}
	}
	for _, it := range items {
		if err := w.item(id, it, mode, depth); err != nil {
			return err
		}
	}
	switch mode {
	case modeKeys:
		if !l.revOK {
			return fmt.Errorf("page %d: key bucket entry that is not a revision", id)
		}
		w.live.add(l.revs)
		if len(l.revs) > 0 {
			w.st.Revision = l.last
		}
	case modeMeta:
		if l.hasVer {
			if v, err := semver.NewVersion(l.version); err == nil {
				w.st.StorageVersion = v.String()
			}
		}
	}
	return nil
}

func (w *walker) item(id uint64, it item, mode, depth int) error {
	if mode == modeRoot && !it.bucket {
		return fmt.Errorf("page %d: root holds a value that is not a bucket", id)
	}
	if mode != modeCheck {
		if it.bucket {
			w.hash(crc32.Update(0, castagnoli, it.name), uint64(len(it.name)))
		} else {
			w.hash(it.crc, it.n)
		}
	}
	if !it.bucket {
		return nil
	}
	sub := modeCheck
	if mode == modeRoot {
		switch string(it.name) {
		case "key":
			sub = modeKeys
		case "meta":
			sub, w.meta = modeMeta, true
		default:
			sub = modeHash
		}
	}
	if it.root != 0 {
		_, err := w.tree(it.root, sub, depth+1, nil, nil)
		return err
	}
	return w.inline(it, sub, depth)
}

// inline reads a bucket stored in its parent's value: a leaf page without a page of its own.
func (w *walker) inline(it item, mode, depth int) error {
	if len(it.inline) < headerSize {
		return fmt.Errorf("bucket %q: inline page truncated", it.name)
	}
	h := readHeader(it.inline)
	if h.flags != leafFlag {
		return fmt.Errorf("bucket %q: inline page is not a leaf", it.name)
	}
	l, err := parseLeaf(it.inline, int(h.count), w.s.fp, nil, false)
	if err != nil {
		return fmt.Errorf("bucket %q: %w", it.name, err)
	}
	return w.leaf(0, &l, mode, depth)
}

func (w *walker) hash(crc uint32, n uint64) { w.h = combine(w.h, crc, n) }

// checkFree compares the reachable pages with a synced freelist, as bbolt's Check does.
func (w *walker) checkFree() error {
	freed := make([]uint64, len(w.reach))
	for _, id := range w.s.free {
		if id >= w.hwm {
			return fmt.Errorf("page %d: freed but out of bounds: %d", id, w.hwm)
		}
		if freed[id/64]&(1<<(id%64)) != 0 {
			return fmt.Errorf("page %d: already freed", id)
		}
		freed[id/64] |= 1 << (id % 64)
	}
	for id := uint64(0); id < w.hwm; id++ {
		r, f := w.reach[id/64]&(1<<(id%64)) != 0, freed[id/64]&(1<<(id%64)) != 0
		switch {
		case r && f:
			return fmt.Errorf("page %d: reachable freed", id)
		case !r && !f:
			return fmt.Errorf("page %d: unreachable unfreed", id)
		}
	}
	return nil
}
