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
	"errors"
	"fmt"
	"hash/maphash"
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
	// What each page was reduced to, spilled beyond a few MiB when the scanner has a spill dir
	// (see words): recs by page id, the revisions of leaves, the children of branches, and the
	// keys bbolt's order check needs (those of revision form only may spill, others stay here).
	recs  *words
	revs  *words
	kids  *words
	keys  *words
	mkeys *words
	spill string
	parts uint64   // entries per partition of the live count
	arena []uint64 // a leaf's revisions while it is parsed
	bkeys [][]byte // a branch's keys while it is parsed
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

// New returns a scanner for one snapshot stream that keeps what it gathers in memory: about 12 MB
// per GB of database.
func New() *Scanner { return NewSpilling("") }

// NewSpilling returns a scanner that keeps at most a few MiB in memory and spills the rest to
// unlinked files in dir (page ids, offsets, CRCs, revisions and keyed fingerprints: never a key or
// value of the database). "" keeps everything in memory.
func NewSpilling(dir string) *Scanner {
	return newScanner(dir, 1)
}

// newScanner sizes the spill chunks down by div: tests make them tiny so that small databases spill.
func newScanner(dir string, div uint64) *Scanner {
	return &Scanner{seed: maphash.MakeSeed(), ext: map[uint32]*extra{}, spill: dir, parts: partitionWords / div,
		recs: newWords(512/div, 256, dir), revs: newWords(8192/div, 16, dir), kids: newWords(8192/div, 8, dir),
		keys: newWords(8192/div, 16, dir), mkeys: newWords(8192, 0, "")}
}

// Close removes the spill files.
func (s *Scanner) Close() {
	for _, w := range []*words{s.recs, s.revs, s.kids, s.keys} {
		w.close()
	}
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
	s.putRec(rec{id: uint32(id), kind: kindBad, overflow: overflow})
	s.ext[uint32(id)] = &extra{err: err}
}

// finish reduces one whole page to its record.
func (s *Scanner) finish(id uint64, b []byte) {
	h := readHeader(b)
	r := rec{id: uint32(id), overflow: h.overflow}
	switch h.flags {
	case branchFlag:
		if err := s.branch(b, int(h.count)); err != nil {
			s.bad(id, h.overflow, fmt.Errorf("page %d: %w", id, err))
			return
		}
		r.kind, r.cnt = kindBranch, uint32(h.count)
		r.key = s.putKeys(s.bkeys, allRevisions(s.bkeys))
		r.off = uint32(s.kids.len())
		for i := range int(h.count) {
			s.kids.push(le.Uint64(b[headerSize+i*elemSize+8:]))
		}
	case leafFlag:
		l, err := parseLeaf(b, int(h.count), s.fp, s.arena[:0], true)
		s.arena = l.revs[:0]
		if err != nil {
			s.bad(id, h.overflow, fmt.Errorf("page %d: %w", id, err))
			return
		}
		r.kind, r.crc, r.n, r.revOK, r.key = kindLeaf, l.crc, uint32(l.n), l.revOK, noKeys
		if h.count > 0 {
			r.key = s.putKeys([][]byte{l.first, l.lastKey}, l.revOK)
		}
		r.off, r.cnt = uint32(s.revs.len()), uint32(len(l.revs))
		if r.cnt > 0 {
			s.revs.push(l.revs...)
			s.revs.push(uint64(l.last))
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
	s.putRec(r)
}

// branch reads a branch page's keys into s.bkeys, checking that they lie within the page.
func (s *Scanner) branch(b []byte, count int) error {
	s.bkeys = s.bkeys[:0]
	for i := 0; i < count; i++ {
		e := headerSize + i*elemSize
		if e+elemSize > len(b) {
			return fmt.Errorf("branch element %d beyond the page", i)
		}
		pos, ks := uint64(le.Uint32(b[e:])), uint64(le.Uint32(b[e+4:]))
		if uint64(e)+pos+ks > uint64(len(b)) {
			return fmt.Errorf("branch element %d beyond the page", i)
		}
		s.bkeys = append(s.bkeys, b[uint64(e)+pos:uint64(e)+pos+ks])
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
func (s *Scanner) lookup(id uint64) (rec, bool) {
	if id >= 1<<32 {
		return rec{}, false
	}
	r := decodeRec(s.recs.at(id*4), s.recs.at(id*4+1), s.recs.at(id*4+2), s.recs.at(id*4+3))
	return r, r.kind != 0
}

func (s *Scanner) putRec(r rec) {
	a, b, c, d := r.encode()
	i := uint64(r.id) * 4
	s.recs.set(i, a)
	s.recs.set(i+1, b)
	s.recs.set(i+2, c)
	s.recs.set(i+3, d)
}

func (r rec) encode() (a, b, c, d uint64) {
	ok := uint64(0)
	if r.revOK {
		ok = 1
	}
	return uint64(r.id)<<32 | uint64(r.overflow), uint64(r.crc)<<32 | uint64(r.n),
		uint64(r.off)<<32 | uint64(r.cnt), uint64(r.key)<<32 | uint64(r.kind)<<8 | ok
}

func decodeRec(a, b, c, d uint64) rec {
	return rec{id: uint32(a >> 32), overflow: uint32(a), crc: uint32(b >> 32), n: uint32(b),
		off: uint32(c >> 32), cnt: uint32(c), key: uint32(d >> 32), kind: uint8(d >> 8), revOK: d&1 == 1}
}

// memKey flags a key offset in mkeys, the keys that never spill.
const memKey = 1 << 31

// putKeys stores keys one after the other and returns the offset of the first: in keys when they
// are revisions (spill) is allowed, in mkeys otherwise.
func (s *Scanner) putKeys(keys [][]byte, revisions bool) uint32 {
	store, flag := s.keys, uint32(0)
	if !revisions {
		store, flag = s.mkeys, memKey
	}
	off := store.len()
	for _, k := range keys {
		store.push(uint64(len(k)))
		for i := 0; i < len(k); i += 8 {
			var w [8]byte
			copy(w[:], k[i:])
			store.push(le.Uint64(w[:]))
		}
	}
	if off >= memKey {
		panic(fmt.Sprintf("more than %d words of keys", memKey))
	}
	return uint32(off) | flag
}

// nextKey returns a copy of the key at ref and the reference of the one after it.
func (s *Scanner) nextKey(ref uint32) ([]byte, uint32) {
	store, flag := s.keys, ref&memKey
	if flag != 0 {
		store = s.mkeys
	}
	i := uint64(ref &^ memKey)
	n := store.at(i)
	words := (n + 7) / 8
	k := make([]byte, 0, words*8)
	for j := uint64(0); j < words; j++ {
		k = le.AppendUint64(k, store.at(i+1+j))
	}
	return k[:n], uint32(i+1+words) | flag
}

// allRevisions reports whether every key has the form of a key bucket entry's, a revision.
func allRevisions(keys [][]byte) bool {
	for _, k := range keys {
		if (len(k) != revKeyLen && len(k) != revKeyLen+1) || k[8] != '_' {
			return false
		}
	}
	return true
}
