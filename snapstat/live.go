package snapstat

import (
	"cmp"
	"math/bits"
	"slices"
)

// partitionWords is about how many entries one partition of the live count holds: it is sorted in
// memory, so this bounds the count's memory whatever the database size.
const partitionWords = 512 << 10

// liveCount counts the user keys whose last entry is not a tombstone, as etcdutl does by replaying
// the key bucket in order. Entries (fingerprints, the low bit set for a tombstone) come in key
// order, that is revision order; they are split by fingerprint into partitions that each keep that
// order, and each partition is then stably sorted by key alone, which keeps each key's entries in
// revision order.
type liveCount struct {
	shift uint
	parts []*words
}

// newLiveCount prepares for at most n entries, about per in each partition, spilling to dir ("" keeps
// them in memory).
func newLiveCount(n, per uint64, dir string) *liveCount {
	p := max(1, (n+per-1)/per)
	b := uint(bits.Len64(p - 1)) // 2^b partitions, at least p
	c := &liveCount{shift: 64 - b, parts: make([]*words, 1<<b)}
	for i := range c.parts {
		c.parts[i] = newWords(min(1024, per), 2, dir)
	}
	return c
}

func (c *liveCount) add(entries []uint64) {
	for _, e := range entries {
		i := uint64(0)
		if c.shift < 64 {
			i = e >> c.shift
		}
		c.parts[i].push(e)
	}
}

// count returns the live keys, and whether the key whose fingerprint is emptyFP is among them.
func (c *liveCount) count(emptyFP uint64) (n int, empty bool) {
	var buf []uint64
	for _, p := range c.parts {
		buf = p.read(buf[:0], 0, p.len())
		slices.SortStableFunc(buf, func(a, b uint64) int { return cmp.Compare(a&^1, b&^1) })
		for i, e := range buf {
			if (i+1 == len(buf) || buf[i+1]&^1 != e&^1) && e&1 == 0 {
				n++
				empty = empty || e == emptyFP
			}
		}
		p.close()
	}
	return n, empty
}

func (c *liveCount) close() {
	for _, p := range c.parts {
		p.close()
	}
}
