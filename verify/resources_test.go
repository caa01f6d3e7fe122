package verify

import (
	"context"
	"maps"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestCountResources compares countResources with a count of every key, one by one, on a real
// member: keys under a resource's prefix, keys that are not (a group alone, a bare resource, a
// prefix's neighbours), and deletes after the revision counted.
func TestCountResources(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{}).Client(t)
	ctx := context.Background()
	keys := []string{
		"/registry/pods/default/a", "/registry/pods/default/b", "/registry/pods/kube-system/c",
		"/registry/pods", "/registry/pods0/x", "/registry/pods.x", // beside pods' prefix
		"/registry/health", "/registry/example.com", "/registry//empty",
		"/registry/apps.k8s.io/deployments/ns/d1", "/registry/apps.k8s.io/deployments/ns/d2",
		"/registry/apps.k8s.io/deployments", // a group and its resource's name: resource "apps.k8s.io"
		"/registry/apps.k8s.io/deployments0/x", "/registry/apps.k8s.io/x", "/registry/apps.k8s.io",
		"/registry/apps.k8s.io/replicasets/ns/r", "/registry/z.io/a/b/c",
		"/registry0/x", "/other", "/registry", // outside /registry/
	}
	for _, k := range keys {
		if _, err := c.Put(ctx, k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	rev := mustRev(t, c)
	for _, k := range []string{"/registry/pods/default/a", "/registry/apps.k8s.io/x"} {
		if _, err := c.Delete(ctx, k); err != nil { // after rev: still counted at rev
			t.Fatal(err)
		}
	}
	if _, err := c.Put(ctx, "/registry/pods/late", "v"); err != nil { // after rev: not counted
		t.Fatal(err)
	}
	want := map[string]int64{}
	resp, err := c.Get(ctx, registryPrefix, clientv3.WithPrefix(), clientv3.WithKeysOnly(), clientv3.WithRev(rev))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		want[Resource(string(kv.Key))]++
	}
	got, err := countResources(ctx, c, rev)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("countResources = %v\nwant (key by key) %v", got, want)
	}
	if want["pods"] != 4 || want["apps.k8s.io"] != 3 || want["apps.k8s.io/deployments"] != 2 {
		t.Fatalf("the keys do not cover the cases meant: %v", want)
	}
}

func mustRev(t *testing.T, c *clientv3.Client) int64 {
	t.Helper()
	resp, err := c.Get(context.Background(), "/", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}
