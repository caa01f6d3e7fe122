package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestLeastPrivilegeS3 runs a backup node against MinIO with credentials that only the backup-node
// policy of docs/permissions.md allows (put, get, list, no delete), then prunes from a host that
// may delete:
//   - with retention.enabled: false, run-once commits (multipart uploads included) and deletes
//     nothing, list works, and check passes the probe without delete permission;
//   - prune fails with an error that names the destination and says where to prune, and deletes
//     nothing;
//   - with retention enabled, run-once commits the backup, then fails on retention, as clearly;
//   - the same config with credentials that may delete prunes to the policy.
func TestLeastPrivilegeS3(t *testing.T) {
	e := newEnv(t, 0)
	etcdtest.Fill(t, e.etcd.Client(t), 4500, 4096, 1) // past the 16 MiB the S3 client uploads in one PUT
	m := storagetest.StartMinIO(t, nil)
	bucket := m.NewBucket(t)
	dest := m.URL(bucket, "etcd")
	e.set("compression", "none")
	e.set("destinations", []any{map[string]any{"url": dest, "part_size": "5MiB"}})
	e.set("retention", map[string]any{"enabled": false, "keep_last": 1})
	m.Restricted(t, nodePolicy(t, bucket)).Env(t)

	ids := e.backups(3) // run-once exits 0 each time
	objects := bucketObjects(t, m, bucket)
	if len(objects) != 6 {
		t.Fatalf("bucket holds %v, want 3 backups of 2 objects", keysOf(objects))
	}
	key := "etcd/test-cluster/snapshots/" + ids[0] + ".db.pgp"
	head, err := m.Client(t).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil || !strings.Contains(*head.ETag, "-") {
		t.Fatalf("data object %s: %v, want a multipart upload's ETag", key, err)
	}
	if out, stderr, code := e.run("list", "-w", "json"); code != 0 || strings.Count(out, `"id"`) != 3 {
		t.Fatalf("list: exit %d: %s %s", code, out, stderr)
	}
	r, code := e.checkJSON(testCertFlags...)
	if code != 0 || len(r.Destinations) != 1 || r.Destinations[0].Probe != check.ProbeNoDelete {
		t.Fatalf("check: exit %d, destinations %+v, findings %+v", code, r.Destinations, r.Findings)
	}

	objects = bucketObjects(t, m, bucket) // with check's probe object
	_, stderr, code := e.run("prune")
	want := "prune at " + dest + ": no permission to delete"
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "run prune where the credentials may delete") {
		t.Fatalf("prune without delete permission: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if after := bucketObjects(t, m, bucket); !maps.Equal(after, objects) {
		t.Fatalf("prune without delete permission changed the bucket:\nbefore %v\nafter  %v", keysOf(objects), keysOf(after))
	}

	e.set("retention", map[string]any{"keep_last": 1})
	// A write first, so that this backup's ID (time, then revision) sorts after the others even
	// within the same second.
	if _, err := e.etcd.Client(t).Put(context.Background(), "/least-privilege", "x"); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := e.run("run-once", "-w", "json")
	var rows []listed
	if code != 1 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Error != "" ||
		!strings.Contains(stderr, "retention: "+want) {
		t.Fatalf("run-once with retention and no delete permission: exit %d, rows %q, stderr %q", code, out, stderr)
	}
	if got := len(bucketObjects(t, m, bucket)); got != len(objects)+2 {
		t.Fatalf("bucket holds %d objects, want the %d before and the new backup's 2", got, len(objects))
	}

	e.set("retention", map[string]any{"enabled": false, "keep_last": 1})
	m.Env(t) // the trusted host: credentials that may delete, the same retention rules
	if _, stderr, code := e.run("prune"); code != 0 {
		t.Fatalf("prune with delete permission: exit %d: %s", code, stderr)
	}
	if out, _, _ := e.run("list", "-w", "json"); strings.Count(out, `"id"`) != 1 || !strings.Contains(out, rows[0].ID) {
		t.Fatalf("after prune with keep_last 1: %s, want %s alone", out, rows[0].ID)
	}
}

// nodePolicy is the S3 backup-node policy of docs/permissions.md, for bucket (its prefix, etcd, is
// the one the test's destination uses).
func nodePolicy(t *testing.T, bucket string) string {
	t.Helper()
	data, err := os.ReadFile("../../docs/permissions.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "<!-- policy: s3 backup node")
	_, rest, ok2 := strings.Cut(rest, "```json\n")
	policy, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/permissions.md: no s3 backup node policy")
	}
	if !json.Valid([]byte(policy)) {
		t.Fatalf("docs/permissions.md: the s3 backup node policy is not JSON:\n%s", policy)
	}
	return strings.ReplaceAll(policy, "arn:aws:s3:::my-bucket", "arn:aws:s3:::"+bucket)
}

// bucketObjects maps every object key in bucket to its ETag, read with the root credentials.
func bucketObjects(t *testing.T, m *storagetest.MinIO, bucket string) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(m.Client(t), &s3.ListObjectsV2Input{Bucket: &bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			out[*o.Key] = *o.ETag
		}
	}
	return out
}

func keysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
