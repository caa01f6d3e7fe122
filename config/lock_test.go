package config

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestObjectLockConfig(t *testing.T) {
	f := needFixture(t)
	dest := func(url string, lock map[string]any) map[string]any {
		return map[string]any{"destinations": []any{map[string]any{"url": url, "object_lock": lock}}}
	}
	for _, url := range []string{"s3://b/etcd?region=eu-west-1", "gs://b/etcd"} {
		c, err := parseWith(t, f, dest(url, map[string]any{"mode": "compliance", "min_retention": "168h"}))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		o, err := c.Destinations[0].StoreOptions()
		if err != nil || o.Lock == nil || *o.Lock != (storage.Lock{Mode: storage.LockCompliance, MinRetention: 168 * time.Hour}) {
			t.Fatalf("%s: store options %+v, %v", url, o, err)
		}
	}
	for msg, set := range map[string]map[string]any{
		"destinations[0].object_lock: applies to s3:// and gs://": dest("azblob://c/etcd", map[string]any{"mode": "governance", "min_retention": "1h"}),
		"destinations[0].object_lock: applies":                    dest("file:///var/backups/etcd", map[string]any{"mode": "governance", "min_retention": "1h"}),
		`destinations[0].object_lock.mode: "worm"`:                dest("s3://b/etcd", map[string]any{"mode": "worm", "min_retention": "1h"}),
		"destinations[0].object_lock.min_retention: 0s":           dest("s3://b/etcd", map[string]any{"mode": "governance"}),
	} {
		if _, err := parseWith(t, f, set); err == nil || !strings.Contains(err.Error(), msg) {
			t.Fatalf("%v: %v, want an error with %q", set, err, msg)
		}
	}
}
