package etcdtest

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/k8sdata"
)

// KV is one generated key and value.
type KV = k8sdata.KV

// Generate returns what Fill writes; see k8sdata.Generate.
func Generate(n, valueSize int, seed int64) []KV { return k8sdata.Generate(n, valueSize, seed) }

// Fill writes n Kubernetes-like keys with batched transactions and returns the keys in the order written.
func Fill(t testing.TB, c *clientv3.Client, n, valueSize int, seed int64) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	keys, err := k8sdata.Load(ctx, c, n, valueSize, seed)
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	return keys
}
