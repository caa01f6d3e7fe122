package snapstat

import (
	"encoding/binary"

	"google.golang.org/protobuf/encoding/protowire"
)

// addRev records a key bucket entry: its user key's fingerprint, with the low bit set for a
// tombstone. It reports false when k or v do not have the key bucket's form.
func (l *leaf) addRev(k, v []byte, fp func([]byte) uint64) bool {
	// As mvcc.BytesToBucketKey: 17 bytes, or 18 with a mark; '_' between non-negative main and sub.
	if (len(k) != revKeyLen && len(k) != revKeyLen+1) || k[8] != '_' || k[0]&0x80 != 0 || k[9]&0x80 != 0 {
		return false
	}
	key, ok := userKey(v)
	if !ok {
		return false
	}
	e := fp(key) &^ 1
	if len(k) == revKeyLen+1 && k[revKeyLen] == 't' {
		e |= 1
	}
	l.revs = append(l.revs, e)
	l.last = int64(binary.BigEndian.Uint64(k))
	return true
}

// userKey returns field 1 (key) of an mvccpb.KeyValue, the last one if repeated, as proto does.
func userKey(v []byte) ([]byte, bool) {
	var key []byte
	for len(v) > 0 {
		num, typ, n := protowire.ConsumeTag(v)
		if n < 0 {
			return nil, false
		}
		v = v[n:]
		if num == 1 && typ == protowire.BytesType {
			b, m := protowire.ConsumeBytes(v)
			if m < 0 {
				return nil, false
			}
			key, v = b, v[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, v)
		if m < 0 {
			return nil, false
		}
		v = v[m:]
	}
	return key, true
}
