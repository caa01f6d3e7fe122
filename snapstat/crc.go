package snapstat

import "hash/crc32"

// castagnoli is the table etcdutl's snapshot status hashes with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const poly = 0x82f63b78 // Castagnoli, reflected

// x2n[k] is x^(2^k) modulo the polynomial, for combining CRCs.
var x2n [32]uint32

func init() {
	p := uint32(1) << 30 // x^1
	x2n[0] = p
	for k := 1; k < 32; k++ {
		p = multmodp(p, p)
		x2n[k] = p
	}
}

// multmodp multiplies a and b modulo the polynomial (reflected bit order).
func multmodp(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ poly
		} else {
			b >>= 1
		}
	}
	return p
}

// x8nmodp is x^(8n) modulo the polynomial: the shift of a CRC across n bytes.
func x8nmodp(n uint64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k++ {
		if n&1 != 0 {
			p = multmodp(x2n[k&31], p)
		}
		n >>= 1
	}
	return p
}

// combine returns the CRC of A followed by B from crcA, crcB and the length of B.
func combine(crcA, crcB uint32, lenB uint64) uint32 {
	if lenB == 0 {
		return crcA
	}
	return multmodp(x8nmodp(lenB), crcA) ^ crcB
}
