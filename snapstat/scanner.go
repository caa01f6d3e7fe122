// Package snapstat computes what etcdutl snapshot status reports (bbolt check, hash, revision, total
// keys) from the snapshot stream as it passes, without the file and without a second read.
//
// bbolt's pages arrive in file order, not in key order. Each leaf page is reduced, as it passes, to
// the CRC of its keys and values and, for the key bucket, to a fingerprint per revision. At the end
// the tree is walked in key order over those records, and the page CRCs are combined in that order.
//
// File, its counterpart on a file, runs etcd's own library in a child process: deep verification
// checks a restored file with it, and the tests hold the scanner to its results.
package snapstat

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
)

const noKeys = ^uint32(0)

// maxSpan bounds one page with its overflow pages (a large value): beyond it the page is refused.
const maxSpan = 64 << 20

// Status is what etcdutl snapshot status reports of a snapshot.
type Status struct {
	Hash           uint32 `json:"hash"`
	Revision       int64  `json:"revision"`
	TotalKeys      int    `json:"total_keys"`
	TotalSize      int64  `json:"total_size"`
	StorageVersion string `json:"storage_version"`
}

const (
	kindLeaf = iota + 1
	kindBranch
	kindFreelist
	kindBad
)

// rec is one page start seen in the stream.
// A leaf's key bucket entries are followed in revs by the main revision of its last entry. Its
// first and last keys are at key in keys; a branch's keys, one per child, are there too.
type rec struct {
	id       uint32
	overflow uint32
	crc      uint32
	n        uint32 // bytes hashed
	off, cnt uint32 // range in revs (leaf) or kids (branch)
	key      uint32 // offset in keys; noKeys for an empty leaf
	kind     uint8
	revOK    bool
}

// extra holds what few pages need beyond rec.
type extra struct {
	items   []item
	version string
	hasVer  bool
	err     error
}

type span struct {
	id         uint64
	start, end int64
}

// Scanner is written the plain snapshot stream, in order; Status then reports on it.
type Scanner struct {
	seed  maphash.Seed
	ps    int64 // page size, known once a meta page is read
	metas [2]meta
	m     meta  // the one bbolt would use
	off   int64 // stream offset of win[0]
	win   []byte
	next  int64 // stream offset of the next page to look at
	pend  []span
	recs  []rec
	revs  []uint64
	kids  []uint64
	keys  []byte // length-prefixed keys
	ext   map[uint32]*extra
	free  []uint64
	total int64
	err   error
	empty bool // the empty key is live; see EmptyKey
}

// EmptyKey tells, once Status returned, whether the empty key is among TotalKeys. Clients cannot
// write it; a restore with a revision bump does, as its marker, and no member serves it. It is not
// part of etcdutl's report.
func (s *Scanner) EmptyKey() bool { return s.empty }

// New returns a scanner for one snapshot stream.
func New() *Scanner {
	return &Scanner{seed: maphash.MakeSeed(), ext: map[uint32]*extra{}}
}

func (s *Scanner) fp(b []byte) uint64 { return maphash.Bytes(s.seed, b) }

// Write takes the next bytes of the stream. It fails once the stream cannot be a bbolt database.
func (s *Scanner) Write(p []byte) (n int, err error) {
	n = len(p)
	s.total += int64(n)
	defer func() {
		if r := recover(); r != nil {
			s.err = fmt.Errorf("%v", r)
		}
		if s.err != nil {
			err = fmt.Errorf("snapshot status: %w", s.err)
		}
	}()
	for len(p) > 0 && s.err == nil {
		if len(s.win) == 0 {
			keep := s.run(p, s.off)
			s.off += int64(keep)
			s.win = append(s.win, p[keep:]...)
			return
		}
		k := int(min(int64(len(p)), max(1, s.need()-s.off-int64(len(s.win)))))
		s.win = append(s.win, p[:k]...)
		p = p[k:]
		keep := s.run(s.win, s.off)
		s.win = s.win[:copy(s.win, s.win[keep:])]
		s.off += int64(keep)
	}
	return
}

// need is the stream offset the window must reach before the scan can go on.
func (s *Scanner) need() int64 {
	switch {
	case s.m.pgid == 0:
		return s.off + int64(len(s.win)) + 64<<10
	case len(s.pend) > 0:
		return s.pend[0].end
	default:
		return s.next + s.ps
	}
}

// run scans v, which starts at stream offset base, and returns how many of its bytes are done with.
func (s *Scanner) run(v []byte, base int64) int {
	end := base + int64(len(v))
	if s.m.pgid == 0 {
		ok, err := s.start(v, false)
		if err != nil {
			s.err = err
			return len(v)
		}
		if !ok {
			return 0
		}
	}
	limit := int64(s.m.pgid) * s.ps
	for progressed := true; progressed; {
		progressed = false
		if s.next < limit && s.next+s.ps <= end {
			s.look(v[s.next-base:s.next-base+s.ps], uint64(s.next/s.ps))
			s.next += s.ps
			progressed = true
		}
		for len(s.pend) > 0 && s.pend[0].end <= end {
			sp := s.pend[0]
			s.pend = s.pend[:copy(s.pend, s.pend[1:])]
			s.finish(sp.id, v[sp.start-base:sp.end-base])
			progressed = true
		}
	}
	keep := s.next
	if len(s.pend) > 0 {
		keep = min(keep, s.pend[0].start)
	} else if s.next >= limit {
		keep = end // the trailer: not pages
	}
	return int(keep - base)
}

// start reads the page size and picks the meta page as bbolt does, from the first bytes of the
// stream. It reports false while it needs more of them; final says there are no more.
func (s *Scanner) start(v []byte, final bool) (bool, error) {
	if s.ps == 0 {
		ps, ok, err := pageSize(v, final)
		if !ok || err != nil {
			return false, err
		}
		s.ps = ps
	}
	if int64(len(v)) < 2*s.ps {
		if final {
			return false, fmt.Errorf("stream of %d bytes is too short for a bbolt database", len(v))
		}
		return false, nil
	}
	for id := range 2 {
		b := v[int64(id)*s.ps:]
		if h := readHeader(b); h.id != uint64(id) || !pageType(h.flags) {
			return false, fmt.Errorf("page %d: header names page %d of flags %#x", id, h.id, h.flags)
		}
		s.metas[id] = readMeta(b)
	}
	m, err := s.meta()
	if err != nil {
		return false, err
	}
	if m.pgid < 2 || m.pgid > 1<<32 {
		return false, fmt.Errorf("meta page: invalid high water mark %d", m.pgid)
	}
	s.m, s.next = m, 2*s.ps
	return true, nil
}

// pageSize reads the page size from meta page 0 or, if that one is damaged, from meta page 1, which
// bbolt looks for at 1 KiB to 16 MiB.
func pageSize(v []byte, final bool) (int64, bool, error) {
	if len(v) < headerSize+metaSize {
		return 0, false, nil
	}
	m := readMeta(v)
	for i := 0; m.err != nil && i <= 14; i++ {
		pos := 1024 << i
		if pos+headerSize+metaSize > len(v) {
			if !final {
				return 0, false, nil
			}
			break
		}
		m = readMeta(v[pos:])
	}
	if m.err != nil {
		return 0, false, fmt.Errorf("no valid meta page: %w", m.err)
	}
	if m.pageSize < 512 || m.pageSize > 1<<20 {
		return 0, false, fmt.Errorf("meta page: invalid page size %d", m.pageSize)
	}
	return int64(m.pageSize), true, nil
}

// pageType reports whether flags are those of exactly one page type, as bbolt's FastCheck wants.
func pageType(flags uint16) bool {
	return flags == branchFlag || flags == leafFlag || flags == metaFlag || flags == freelistFlag
}

// look decides whether the page at id starts a branch, leaf or freelist page, and if so queues it
// until its overflow pages have arrived too.
func (s *Scanner) look(b []byte, id uint64) {
	h := readHeader(b)
	if h.id != id { // the rest of a large value, or a page never written
		return
	}
	switch h.flags {
	case branchFlag, leafFlag:
	case freelistFlag:
		if id != s.m.freelist {
			return
		}
	default:
		return
	}
	size := (1 + int64(h.overflow)) * s.ps
	start := int64(id) * s.ps
	switch {
	case start+size > int64(s.m.pgid)*s.ps:
		s.bad(id, h.overflow, fmt.Errorf("page %d: overflow of %d pages goes beyond the database", id, h.overflow))
		return
	case size > maxSpan:
		s.bad(id, h.overflow, fmt.Errorf("page %d: %d bytes with its overflow, more than the %d MiB one page may take here", id, size, maxSpan>>20))
		return
	}
	s.pend = append(s.pend, span{id: id, start: start, end: start + size})
}

func (s *Scanner) bad(id uint64, overflow uint32, err error) {
	s.recs = append(s.recs, rec{id: uint32(id), kind: kindBad, overflow: overflow})
	s.ext[uint32(id)] = &extra{err: err}
}

// finish reduces one whole page to its record.
func (s *Scanner) finish(id uint64, b []byte) {
	h := readHeader(b)
	r := rec{id: uint32(id), overflow: h.overflow}
	switch h.flags {
	case branchFlag:
		r.kind, r.off, r.cnt, r.key = kindBranch, uint32(len(s.kids)), uint32(h.count), uint32(len(s.keys))
		if err := s.branch(b, int(h.count)); err != nil {
			s.kids, s.keys = s.kids[:r.off], s.keys[:r.key]
			s.bad(id, h.overflow, fmt.Errorf("page %d: %w", id, err))
			return
		}
	case leafFlag:
		l, err := parseLeaf(b, int(h.count), s.fp, s.revs, true)
		if err != nil {
			s.revs = s.revs[:l.revOff]
			s.bad(id, h.overflow, fmt.Errorf("page %d: %w", id, err))
			return
		}
		r.kind, r.crc, r.n, r.revOK, r.key = kindLeaf, l.crc, uint32(l.n), l.revOK, noKeys
		if h.count > 0 {
			r.key = uint32(len(s.keys))
			s.keys = appendKey(appendKey(s.keys, l.first), l.lastKey)
		}
		r.off, r.cnt = uint32(l.revOff), uint32(len(l.revs)-l.revOff)
		s.revs = l.revs
		if r.cnt > 0 {
			s.revs = append(s.revs, uint64(l.last))
		}
		if l.items != nil || l.hasVer {
			s.ext[r.id] = &extra{items: l.items, version: l.version, hasVer: l.hasVer}
		}
	case freelistFlag:
		r.kind = kindFreelist
		if err := s.freelist(b, int(h.count)); err != nil {
			s.bad(id, h.overflow, fmt.Errorf("page %d: %w", id, err))
			return
		}
	}
	s.recs = append(s.recs, r)
}

func (s *Scanner) branch(b []byte, count int) error {
	for i := 0; i < count; i++ {
		e := headerSize + i*elemSize
		if e+elemSize > len(b) {
			return fmt.Errorf("branch element %d beyond the page", i)
		}
		pos, ks := uint64(le.Uint32(b[e:])), uint64(le.Uint32(b[e+4:]))
		if uint64(e)+pos+ks > uint64(len(b)) {
			return fmt.Errorf("branch element %d beyond the page", i)
		}
		s.keys = appendKey(s.keys, b[uint64(e)+pos:uint64(e)+pos+ks])
		s.kids = append(s.kids, le.Uint64(b[e+8:]))
	}
	return nil
}

func (s *Scanner) freelist(b []byte, count int) error {
	ids := b[headerSize:]
	if count == 0xFFFF {
		if len(ids) < 8 {
			return errors.New("freelist truncated")
		}
		count, ids = int(le.Uint64(ids)), ids[8:]
	}
	if count*8 > len(ids) || count < 0 {
		return errors.New("freelist beyond the page")
	}
	for i := 0; i < count; i++ {
		s.free = append(s.free, le.Uint64(ids[i*8:]))
	}
	return nil
}

// lookup finds the record of the page starting at id.
func (s *Scanner) lookup(id uint64) *rec {
	i, ok := slices.BinarySearchFunc(s.recs, id, func(r rec, id uint64) int {
		return cmp.Compare(uint64(r.id), id)
	})
	if !ok {
		return nil
	}
	return &s.recs[i]
}

func appendKey(keys, k []byte) []byte {
	return append(binary.AppendUvarint(keys, uint64(len(k))), k...)
}

// nextKey reads the key at off in keys and returns the offset after it.
func nextKey(keys []byte, off uint32) ([]byte, uint32) {
	n, w := binary.Uvarint(keys[off:])
	start := uint64(off) + uint64(w)
	return keys[start : start+n], uint32(start + n)
}
