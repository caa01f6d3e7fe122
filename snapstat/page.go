package snapstat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"sort"
)

// bbolt's on-disk format (little-endian, as etcd writes it on amd64 and arm64).
const (
	headerSize     = 16 // id u64, flags u16, count u16, overflow u32
	elemSize       = 16 // leaf: flags, pos, ksize, vsize (u32); branch: pos, ksize (u32), pgid (u64)
	bucketHdrSize  = 16 // root pgid u64, sequence u64
	metaSize       = 64
	branchFlag     = 0x01
	leafFlag       = 0x02
	metaFlag       = 0x04
	freelistFlag   = 0x10
	bucketElemFlag = 0x01
	magic          = 0xED0CDAED
	version        = 2
	noFreelist     = ^uint64(0)
	revKeyLen      = 17 // etcd's key bucket: 8-byte main revision, '_', 8-byte sub revision
)

var le = binary.LittleEndian

type header struct {
	id       uint64
	flags    uint16
	count    uint16
	overflow uint32
}

func readHeader(b []byte) header {
	return header{id: le.Uint64(b), flags: le.Uint16(b[8:]), count: le.Uint16(b[10:]), overflow: le.Uint32(b[12:])}
}

type meta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high water mark
	txid     uint64
	err      error
}

// readMeta decodes the meta page in b (header included).
func readMeta(b []byte) meta {
	if len(b) < headerSize+metaSize {
		return meta{err: errors.New("meta page truncated")}
	}
	m := b[headerSize : headerSize+metaSize]
	mt := meta{
		pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
		pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:]),
	}
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case le.Uint32(m) != magic:
		mt.err = errors.New("invalid magic: not a bbolt database")
	case le.Uint32(m[4:]) != version:
		mt.err = fmt.Errorf("unsupported bbolt version %d", le.Uint32(m[4:]))
	case h.Sum64() != le.Uint64(m[56:]):
		mt.err = errors.New("meta page checksum mismatch")
	}
	return mt
}

// leaf is what one leaf page holds, reduced to what status needs.
type leaf struct {
	crc     uint32   // of every key and value of plain elements, in order
	n       uint64   // bytes hashed
	items   []item   // set instead of crc/n when the page holds bucket elements
	revs    []uint64 // the key bucket entries, appended to the caller's arena
	revOff  int
	revOK   bool // every key has the key bucket's revision form and every value a key
	last    int64
	version string // the value of "storageVersion", if the page has that key
	hasVer  bool
	first   []byte // the first and last keys, in b
	lastKey []byte
}

// item is a run of plain elements or one bucket element of a leaf page.
type item struct {
	crc    uint32
	n      uint64
	bucket bool
	name   []byte
	root   uint64
	inline []byte // the inline bucket's page, when root is 0
}

var storageVersionKey = []byte("storageVersion")

// parseLeaf reads count elements of the leaf page at the start of b. fp fingerprints user keys.
// ordered checks that keys increase, as bbolt's check does for every page but inline ones.
func parseLeaf(b []byte, count int, fp func([]byte) uint64, arena []uint64, ordered bool) (leaf, error) {
	l := leaf{revOK: true, revs: arena, revOff: len(arena)}
	var run item
	var prev []byte
	for i := 0; i < count; i++ {
		e := headerSize + i*elemSize
		if e+elemSize > len(b) {
			return l, fmt.Errorf("element %d beyond the page", i)
		}
		flags, pos, ks, vs := le.Uint32(b[e:]), uint64(le.Uint32(b[e+4:])), uint64(le.Uint32(b[e+8:])), uint64(le.Uint32(b[e+12:]))
		ko := uint64(e) + pos
		if ko+ks+vs > uint64(len(b)) {
			return l, fmt.Errorf("element %d beyond the page", i)
		}
		k, v := b[ko:ko+ks], b[ko+ks:ko+ks+vs]
		if ordered && i > 0 && bytes.Compare(prev, k) >= 0 {
			return l, fmt.Errorf("keys out of order at element %d", i)
		}
		if i == 0 {
			l.first = k
		}
		prev, l.lastKey = k, k
		if flags&bucketElemFlag != 0 {
			if run.n > 0 {
				l.items = append(l.items, run)
				run = item{}
			}
			it, err := bucketItem(k, v)
			if err != nil {
				return l, err
			}
			l.items = append(l.items, it)
			l.revOK, l.revs = false, l.revs[:l.revOff]
			continue
		}
		run.crc = crc32.Update(crc32.Update(run.crc, castagnoli, k), castagnoli, v)
		run.n += ks + vs
		if l.revOK {
			if l.revOK = l.addRev(k, v, fp); !l.revOK {
				l.revs = l.revs[:l.revOff]
			}
		}
	}
	l.version, l.hasVer = findValue(b, count, storageVersionKey)
	if l.items != nil {
		if run.n > 0 {
			l.items = append(l.items, run)
		}
	} else {
		l.crc, l.n = run.crc, run.n
	}
	return l, nil
}

func bucketItem(k, v []byte) (item, error) {
	if len(v) < bucketHdrSize {
		return item{}, fmt.Errorf("bucket %q: header truncated", k)
	}
	it := item{bucket: true, name: bytes.Clone(k), root: le.Uint64(v)}
	if it.root == 0 {
		it.inline = bytes.Clone(v[bucketHdrSize:])
	}
	return it, nil
}

// findValue finds key in a leaf page whose elements were checked, by binary search as bbolt's Get does
// (on a page with keys out of order it may miss, as Get does).
func findValue(b []byte, count int, key []byte) (string, bool) {
	i := sort.Search(count, func(i int) bool { return bytes.Compare(elemKey(b, i), key) >= 0 })
	if i == count || !bytes.Equal(elemKey(b, i), key) {
		return "", false
	}
	e := headerSize + i*elemSize
	if le.Uint32(b[e:])&bucketElemFlag != 0 {
		return "", false
	}
	vo := uint64(e) + uint64(le.Uint32(b[e+4:])) + uint64(le.Uint32(b[e+8:]))
	return string(b[vo : vo+uint64(le.Uint32(b[e+12:]))]), true
}

func elemKey(b []byte, i int) []byte {
	e := headerSize + i*elemSize
	ko := uint64(e) + uint64(le.Uint32(b[e+4:]))
	return b[ko : ko+uint64(le.Uint32(b[e+8:]))]
}
