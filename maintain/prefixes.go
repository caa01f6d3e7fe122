package maintain

import (
	"context"
	"fmt"
	"sort"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// PrefixUsage is what the live keys under one prefix take.
type PrefixUsage struct {
	Prefix string `json:"prefix"`
	Keys   int64  `json:"keys"`
	Bytes  int64  `json:"bytes"` // keys and values
}

// Scan bounds: a page asks for about pageTarget bytes, between minPage and maxPage keys, so
// that memory stays bounded whatever the value sizes.
const (
	pageTarget = 4 << 20
	firstPage  = 256
	minPage    = 16
	maxPage    = 4096
)

// LargestPrefixes scans every live key with paginated, serializable reads and returns the
// prefixes of depth path segments (depth 2: /registry/events) that take the most bytes, then
// those holding the most keys, n of each, largest first.
func LargestPrefixes(ctx context.Context, c *cluster.Client, depth, n int) ([]PrefixUsage, error) {
	sums := map[string]*PrefixUsage{}
	key, limit := "\x00", int64(firstPage)
	for {
		resp, err := c.Etcd().Get(ctx, key, clientv3.WithFromKey(), clientv3.WithLimit(limit),
			clientv3.WithSerializable())
		if err != nil {
			return nil, fmt.Errorf("scan keys from %q: %w", key, err)
		}
		var pageBytes int64
		for _, kv := range resp.Kvs {
			p := prefixOf(string(kv.Key), depth)
			u := sums[p]
			if u == nil {
				u = &PrefixUsage{Prefix: p}
				sums[p] = u
			}
			u.Keys++
			u.Bytes += int64(len(kv.Key) + len(kv.Value))
			pageBytes += int64(len(kv.Key) + len(kv.Value))
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		limit = min(max(pageTarget*int64(len(resp.Kvs))/max(pageBytes, 1), minPage), maxPage)
	}
	return top(sums, n), nil
}

// prefixOf returns the first depth segments of key: /registry/events/ns/name -> /registry/events.
func prefixOf(key string, depth int) string {
	lead := strings.HasPrefix(key, "/")
	parts := strings.Split(strings.TrimPrefix(key, "/"), "/")
	p := strings.Join(parts[:min(depth, len(parts))], "/")
	if lead {
		return "/" + p
	}
	return p
}

// top returns the n largest prefixes by bytes and the n largest by keys, each once, by bytes.
func top(sums map[string]*PrefixUsage, n int) []PrefixUsage {
	all := make([]PrefixUsage, 0, len(sums))
	for _, u := range sums {
		all = append(all, *u)
	}
	pick := map[string]bool{}
	for _, less := range []func(a, b PrefixUsage) bool{
		func(a, b PrefixUsage) bool { return a.Keys > b.Keys || (a.Keys == b.Keys && a.Prefix < b.Prefix) },
		func(a, b PrefixUsage) bool { return a.Bytes > b.Bytes || (a.Bytes == b.Bytes && a.Prefix < b.Prefix) },
	} {
		sort.Slice(all, func(i, j int) bool { return less(all[i], all[j]) })
		for _, u := range all[:min(n, len(all))] {
			pick[u.Prefix] = true
		}
	}
	out := all[:0]
	for _, u := range all {
		if pick[u.Prefix] {
			out = append(out, u)
		}
	}
	return out
}
