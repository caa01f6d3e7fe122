package replay

import (
	"context"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
)

// keyPage is how many keys a keyIter reads at a time. They come from the in-memory index, without
// values, so a page stays small whatever the values' sizes.
const keyPage = 1000

// keyIter walks a store's live keys at one revision in key order, a page at a time.
type keyIter struct {
	kv   mvcc.KV
	rev  int64
	page []*mvccpb.KeyValue
	from []byte // where the next page starts; nil after the last page
}

// newKeyIter starts at "\x00" with an empty range end: the whole keyspace, as etcd reads it.
func newKeyIter(kv mvcc.KV, rev int64) *keyIter {
	return &keyIter{kv: kv, rev: rev, from: []byte{0}}
}

// next returns the next key with its create and mod revisions and version, but no value or lease;
// nil after the last.
func (it *keyIter) next(ctx context.Context) (*mvccpb.KeyValue, error) {
	if len(it.page) == 0 && it.from != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := it.kv.Range(ctx, it.from, []byte{}, mvcc.RangeOptions{Rev: it.rev, Limit: keyPage, FastKeysOnly: true})
		if err != nil {
			return nil, err
		}
		it.page, it.from = r.KVs, nil
		if len(r.KVs) == keyPage {
			// The smallest key after the last one.
			last := r.KVs[len(r.KVs)-1].Key
			it.from = append(append(make([]byte, 0, len(last)+1), last...), 0)
		}
	}
	if len(it.page) == 0 {
		return nil, nil
	}
	kv := it.page[0]
	it.page = it.page[1:]
	return kv, nil
}

// Keys counts the live keys at the current revision, from the index alone.
func (d *DB) Keys(ctx context.Context) (int, error) {
	r, err := d.kv.Range(ctx, []byte{0}, []byte{}, mvcc.RangeOptions{CountOnly: true})
	if err != nil {
		return 0, err
	}
	return r.Count, nil
}
