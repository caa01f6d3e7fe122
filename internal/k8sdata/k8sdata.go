// Package k8sdata generates Kubernetes-like etcd keys and values and loads them into etcd,
// for tests, the demo and benchmarks.
package k8sdata

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Limits of one Load transaction, below etcd's defaults (128 ops, 1.5 MiB).
const (
	txnMaxOps   = 128
	txnMaxBytes = 1 << 20
)

var (
	resources = []string{"pods", "secrets", "configmaps", "deployments", "services",
		"events", "leases", "replicasets", "endpointslices", "serviceaccounts"}
	kinds = map[string]string{"pods": "Pod", "secrets": "Secret", "configmaps": "ConfigMap",
		"deployments": "Deployment", "services": "Service", "events": "Event", "leases": "Lease",
		"replicasets": "ReplicaSet", "endpointslices": "EndpointSlice", "serviceaccounts": "ServiceAccount"}
	namespaces = []string{"default", "kube-system", "kube-public", "monitoring",
		"ingress-nginx", "cert-manager", "prod", "staging"}
	words = []string{"api", "web", "nginx", "redis", "postgres", "worker", "frontend", "backend",
		"cache", "proxy", "gateway", "metrics", "agent", "controller", "scheduler", "etcd",
		"coredns", "kafka", "billing", "search", "auth", "payments", "orders", "ingest",
		"node", "zone", "region", "image", "container", "volume", "secret", "config"}
)

// KV is one generated key and value.
type KV struct {
	Key   string
	Value []byte
}

// Generate returns n Kubernetes-like keys under /registry/<resource>/<namespace>/<name>
// with JSON-like values of about valueSize bytes that compress 2-5x with zstd.
// The result depends only on its arguments.
func Generate(n, valueSize int, seed int64) []KV {
	kvs := make([]KV, 0, n)
	Each(n, valueSize, seed, func(kv KV) error { kvs = append(kvs, kv); return nil })
	return kvs
}

// Each calls fn with the keys and values of Generate one at a time, so that memory stays flat.
func Each(n, valueSize int, seed int64, fn func(KV) error) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		res := resources[rng.IntN(len(resources))]
		ns := namespaces[rng.IntN(len(namespaces))]
		name := fmt.Sprintf("%s-%s-%x", pick(rng), pick(rng), i)
		kv := KV{Key: "/registry/" + res + "/" + ns + "/" + name, Value: value(rng, res, ns, name, valueSize)}
		if err := fn(kv); err != nil {
			return err
		}
	}
	return nil
}

// Load writes the n keys and values of Generate(n, valueSize, seed) with batched transactions and
// returns the keys in the order written.
func Load(ctx context.Context, c *clientv3.Client, n, valueSize int, seed int64) ([]string, error) {
	keys := make([]string, 0, n)
	var ops []clientv3.Op
	size := 0
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		if _, err := c.Txn(ctx).Then(ops...).Commit(); err != nil {
			return fmt.Errorf("put %d keys from %s: %w", len(ops), ops[0].KeyBytes(), err)
		}
		ops, size = ops[:0], 0
		return nil
	}
	err := Each(n, valueSize, seed, func(kv KV) error {
		if len(ops) == txnMaxOps || (len(ops) > 0 && size+len(kv.Key)+len(kv.Value) > txnMaxBytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		ops = append(ops, clientv3.OpPut(kv.Key, string(kv.Value)))
		size += len(kv.Key) + len(kv.Value)
		keys = append(keys, kv.Key)
		return nil
	})
	if err == nil {
		err = flush()
	}
	return keys, err
}

// value renders one object: a fixed header, then fields alternating word
// phrases and random base64 until about size bytes.
func value(rng *rand.Rand, res, ns, name string, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"apiVersion":"v1","kind":%q,"metadata":{"name":%q,"namespace":%q,`, kinds[res], name, ns)
	fmt.Fprintf(&b, `"uid":"%08x-%04x-%04x-%04x-%012x","resourceVersion":"%d",`,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff,
		rng.IntN(1<<30))
	fmt.Fprintf(&b, `"labels":{"app":%q,"tier":%q}},"data":{`, pick(rng), pick(rng))
	raw := make([]byte, 18)
	for i := 0; b.Len() < size-2; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%3 == 2 {
			for j := range raw {
				raw[j] = byte(rng.Uint32())
			}
			fmt.Fprintf(&b, `"blob%d":"%s"`, i, base64.StdEncoding.EncodeToString(raw))
			continue
		}
		fmt.Fprintf(&b, `"%s%d":"%s %s %s %s"`, pick(rng), i, pick(rng), pick(rng), pick(rng), pick(rng))
	}
	b.WriteString("}}")
	return []byte(b.String())
}

func pick(rng *rand.Rand) string { return words[rng.IntN(len(words))] }
