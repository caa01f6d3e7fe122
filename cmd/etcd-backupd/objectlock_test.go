package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
	"github.com/etcd-backupd/etcd-backupd/prune"
)

// TestObjectLockS3: against MinIO with object lock, backups are written retained for min_retention;
// prune leaves a backup the policy removes while the lock holds ("locked until") and removes it once
// the lock expired; deleting a locked version with the node's credentials is refused; config
// validate and check refuse a bucket without object lock.
func TestObjectLockS3(t *testing.T) {
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	e := newEnv(t, 20)
	bucket := m.NewLockedBucket(t)
	lock := map[string]any{"mode": "governance", "min_retention": "6s"}
	e.cfg["destinations"] = []any{map[string]any{"url": m.URL(bucket, "etcd"), "object_lock": lock}}
	e.cfg["retention"] = map[string]any{"keep_last": 1}
	if out, stderr, code := e.run("config", "validate"); code != 0 {
		t.Fatalf("config validate: exit %d: %s%s", code, out, stderr)
	}
	first := e.runOnce()
	// A write between the backups, so that the second's ID (time, then revision) sorts after.
	if _, err := e.etcd.Client(t).Put(context.Background(), "between", "backups"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	second := e.runOnce() // its retention removes the first: still locked, so left
	c := m.Client(t)
	key := "etcd/test-cluster/snapshots/" + first.ID + ".json"
	vs, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil || len(vs.Versions) != 1 {
		t.Fatalf("versions of %s: %+v, %v", key, vs, err)
	}
	if _, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &bucket, Key: &key,
		VersionId: vs.Versions[0].VersionId}); err == nil {
		t.Fatal("deleting the locked manifest version succeeded")
	}
	var res prune.Result
	out, stderr, code := e.run("prune", "-w", "json")
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("prune: exit %d: %s%s", code, out, stderr)
	}
	rows := res.Destinations[0].Backups
	if len(rows) != 2 || rows[1].ID != first.ID || rows[1].Keep || rows[1].Deleted || rows[1].LockedUntil == nil {
		t.Fatalf("prune rows %+v: want %s removed by the policy but left, locked", rows, first.ID)
	}
	table, _, _ := e.run("prune", "--dry-run")
	if !strings.Contains(table, "LOCKED until") {
		t.Fatalf("prune --dry-run does not say locked:\n%s", table)
	}
	time.Sleep(time.Until(*rows[1].LockedUntil) + time.Second)
	if _, stderr, code := e.run("prune"); code != 0 {
		t.Fatalf("prune after the lock: exit %d: %s", code, stderr)
	}
	listed, _, _ := e.run("list", "-w", "json")
	if strings.Contains(listed, first.ID) || !strings.Contains(listed, second.ID) {
		t.Fatalf("after the lock expired, list shows:\n%s", listed)
	}

	e.cfg["destinations"] = []any{map[string]any{"url": m.URL(m.NewBucket(t), "etcd"), "object_lock": lock}}
	if _, stderr, code := e.run("config", "validate"); code != 1 || !strings.Contains(stderr, "object lock") ||
		!strings.Contains(stderr, "destinations[0].object_lock") {
		t.Fatalf("config validate on a bucket without object lock: exit %d: %s", code, stderr)
	}
	out, _, code = e.run("check")
	if code != 1 || !strings.Contains(out, "object_lock is set, but") {
		t.Fatalf("check on a bucket without object lock: exit %d:\n%s", code, out)
	}
}
