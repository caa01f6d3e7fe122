package snapstat

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCombineMatchesOneCRC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		a := make([]byte, r.IntN(5000))
		b := make([]byte, r.IntN(70000))
		for j := range a {
			a[j] = byte(r.Uint32())
		}
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		whole := crc32.Update(crc32.Update(0, castagnoli, a), castagnoli, b)
		got := combine(crc32.Update(0, castagnoli, a), crc32.Update(0, castagnoli, b), uint64(len(b)))
		if got != whole {
			t.Fatalf("case %d (%d+%d bytes): combine = %08x, want %08x", i, len(a), len(b), got, whole)
		}
	}
}
