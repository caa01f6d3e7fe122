package snapstat_test

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// bbolt's page layout, as the small snapshot has it: 4 KiB pages, a 16-byte header (id u64, flags u16,
// count u16, overflow u32), then elements of 16 bytes whose key lies pos bytes after the element.
const (
	pageSize   = 4096
	branchFlag = 0x01
)

var le = binary.LittleEndian

// Damage that a random flip seldom makes. The library refuses most of it; the scanner must refuse it
// too, and where the library accepts it, the scanner must report the same or refuse it.
func TestTargetedCorruption(t *testing.T) {
	data := smallSnapshot(t)
	br := firstBranch(t, data)
	last := int(le.Uint16(data[br*pageSize+10:])) - 1
	for _, tc := range []struct {
		name   string
		damage func(d []byte)
		libOK  bool // whether the library accepts the damage
	}{
		{"page 0 names itself page 256", func(d []byte) { d[1] ^= 1 }, false},
		{"page 0 of no page type", func(d []byte) { d[8] = 0 }, false},
		{"page 1 names itself page 257", func(d []byte) { d[pageSize+1] ^= 1 }, false},
		{"page 1 flagged meta and leaf", func(d []byte) { d[pageSize+8] = 0x06 }, false},
		// The branch key of a child is its first key; the child's keys must stay within its range.
		{"first key of a leaf below its branch key", func(d []byte) {
			k := keyAt(d, childOf(d, br, 1), 0)
			binary.BigEndian.PutUint64(k, binary.BigEndian.Uint64(k)-1)
		}, false},
		{"last branch key above its child's first key", func(d []byte) { keyAt(d, br, last)[16]++ }, false},
		{"last key of a leaf beyond the next branch key", func(d []byte) {
			child := childOf(d, br, 0)
			keyAt(d, child, int(le.Uint16(d[child*pageSize+10:]))-1)[0] = 0x7f
		}, false},
		// bbolt checks no inline bucket, and finds storageVersion in the inline meta bucket by binary
		// search: with consistent_index renamed zonsistent_index, the search misses it.
		{"keys of the inline meta bucket out of order", func(d []byte) {
			root := int(le.Uint64(d[32:])) // meta page 0's root bucket
			d[root*pageSize+bytes.Index(d[root*pageSize:(root+1)*pageSize], []byte("consistent_index"))] = 'z'
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := append([]byte(nil), data...)
			tc.damage(d)
			v := judge(t, d, 1)
			if (v.libErr == nil) != tc.libOK {
				t.Fatalf("the library's verdict is not the one this case is about: %v", v)
			}
			if v.bug() {
				t.Errorf("the scanner accepts what the library refuses, or reports other fields: %v", v)
			}
		})
	}
}

// firstBranch returns the first branch page of data.
func firstBranch(t *testing.T, data []byte) int {
	for id := 2; (id+1)*pageSize <= len(data); id++ {
		p := data[id*pageSize:]
		if le.Uint64(p) == uint64(id) && le.Uint16(p[8:]) == branchFlag {
			return id
		}
	}
	t.Fatal("the small snapshot has no branch page")
	return 0
}

// keyAt returns the key of element i of page id, in d: changing it changes d.
func keyAt(d []byte, id, i int) []byte {
	e := id*pageSize + 16 + 16*i
	pos, ksize := int(le.Uint32(d[e:])), int(le.Uint32(d[e+4:]))
	if le.Uint16(d[id*pageSize+8:]) != branchFlag { // leaf: flags, pos, ksize, vsize
		pos, ksize = int(le.Uint32(d[e+4:])), int(le.Uint32(d[e+8:]))
	}
	return d[e+pos : e+pos+ksize]
}

// childOf returns the page that element i of branch page id points to.
func childOf(d []byte, id, i int) int {
	return int(le.Uint64(d[id*pageSize+16+16*i+8:]))
}
