package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/storagetest"
)

// TestRunOnceEveryScheme backs up to real MinIO, fake-gcs-server and Azurite, lists the backup and
// verifies it.
func TestRunOnceEveryScheme(t *testing.T) {
	e := newEnv(t, 300)
	e.set("encryption.private_key", e.key.SecretFile)
	e.set("encryption.passphrase_file", e.key.PassphraseFile)
	cases := map[string]func(t *testing.T) string{
		"s3": func(t *testing.T) string {
			m := storagetest.StartMinIO(t, nil)
			m.Env(t)
			return m.URL(m.NewBucket(t), "etcd/prod")
		},
		"gs": func(t *testing.T) string {
			g := storagetest.StartFakeGCS(t)
			g.Env(t)
			return g.URL(g.NewBucket(t), "etcd/prod")
		},
		"azblob": func(t *testing.T) string {
			a := storagetest.StartAzurite(t, nil)
			a.Env(t)
			return a.URL(a.NewContainer(t), "etcd/prod")
		},
	}
	for scheme, start := range cases {
		t.Run(scheme, func(t *testing.T) {
			e := *e
			e.t, e.cfg = t, deepCopy(e.cfg)
			e.set("destinations", []any{map[string]any{"url": start(t)}})
			if _, stderr, code := e.run("run-once"); code != 0 {
				t.Fatalf("run-once: exit %d: %s", code, stderr)
			}
			out, stderr, code := e.run("list", "-w", "json")
			var rows []listed
			if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
				t.Fatalf("list: exit %d %s %s", code, out, stderr)
			}
			if !strings.HasPrefix(rows[0].Object.Key, "test-cluster/snapshots/") {
				t.Fatalf("object key %s is not relative to the URL path", rows[0].Object.Key)
			}
			if _, stderr, code := e.run("verify", "latest"); code != 0 {
				t.Fatalf("verify: exit %d: %s", code, stderr)
			}
		})
	}
}

// TestFanOutOneDestinationDown backs up to a file destination and a stopped MinIO: the file
// destination commits, the run exits 1 and names the S3 destination.
func TestFanOutOneDestinationDown(t *testing.T) {
	e := newEnv(t, 300)
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	bucket := m.NewBucket(t)
	e.set("destinations", []any{
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store")},
		map[string]any{"url": m.URL(bucket, "etcd")},
	})
	m.Stop(t)
	_, stderr, code := e.run("run-once")
	if code != 1 || !strings.Contains(stderr, "s3://"+bucket) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got := files(t, e.storeDir()); len(got) != 2 {
		t.Fatalf("file destination holds %v, want the data and the manifest", got)
	}
}

// TestRetryAfterOutage stops MinIO before a backup and starts it again within the retry window.
func TestRetryAfterOutage(t *testing.T) {
	e := newEnv(t, 300)
	m := storagetest.StartMinIO(t, nil)
	m.Env(t)
	e.set("destinations", []any{map[string]any{"url": m.URL(m.NewBucket(t), "etcd")}})
	m.Stop(t)
	type result struct {
		stderr string
		code   int
	}
	done := make(chan result, 1)
	go func() {
		_, stderr, code := e.run("run-once")
		done <- result{stderr, code}
	}()
	time.Sleep(time.Second)
	m.Start(t) // on the test goroutine: it may fail the test
	if r := <-done; r.code != 0 {
		t.Fatalf("run-once with MinIO back within the backoff window: exit %d: %s", r.code, r.stderr)
	}
	if out, _, _ := e.run("list"); !strings.Contains(out, "s3://") {
		t.Fatalf("list after recovery: %s", out)
	}
}
