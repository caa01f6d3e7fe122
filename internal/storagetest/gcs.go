package storagetest

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// FakeGCS is a running fake-gcs-server over plain HTTP.
type FakeGCS struct {
	Host string // 127.0.0.1:PORT, the STORAGE_EMULATOR_HOST value
	*proc
}

// StartFakeGCS starts fake-gcs-server with a filesystem backend in a temp
// dir and waits until it answers.
func StartFakeGCS(t testing.TB) *FakeGCS {
	t.Helper()
	bin := testgate.Require(t, "fake-gcs-server")
	dir := t.TempDir()
	port := strconv.Itoa(FreePort(t))
	g := &FakeGCS{Host: "127.0.0.1:" + port}
	args := []string{"-scheme", "http", "-host", "127.0.0.1", "-port", port,
		"-public-host", g.Host, "-external-url", "http://" + g.Host,
		"-backend", "filesystem", "-filesystem-root", filepath.Join(dir, "data"), "-log-level", "warn"}
	g.proc = newProc(t, "fake-gcs-server", bin, dir, args, nil)
	g.Start(t)
	return g
}

// Start starts a stopped server again and waits until it answers.
func (g *FakeGCS) Start(t testing.TB) {
	t.Helper()
	g.proc.Start(t)
	g.waitReady(t, func() error {
		resp, err := http.Get("http://" + g.Host + "/storage/v1/b")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("list buckets: %s", resp.Status)
		}
		return nil
	})
}

// NewBucket creates a bucket with a unique name.
func (g *FakeGCS) NewBucket(t testing.TB) string {
	t.Helper()
	name := "test-" + Random(t, 6)
	body := bytes.NewBufferString(`{"name":"` + name + `"}`)
	resp, err := http.Post("http://"+g.Host+"/storage/v1/b?project=test", "application/json", body)
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket %s: %s", name, resp.Status)
	}
	return name
}

// URL is the gs:// destination URL of path in bucket.
func (g *FakeGCS) URL(bucket, path string) string {
	return "gs://" + bucket + "/" + path
}

// Env points the GCS clients of the test at this server.
func (g *FakeGCS) Env(t testing.TB) {
	t.Setenv("STORAGE_EMULATOR_HOST", g.Host)
}
