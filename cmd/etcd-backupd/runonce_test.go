package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// TestRunOnceRoundTrip takes a backup with the CLI, decrypts it with the real gpg and zstd binaries,
// checks it with etcdutl, restores it with etcdutl and serves every key from the restored member.
func TestRunOnceRoundTrip(t *testing.T) {
	e := newEnv(t, 3000)
	out, stderr, code := e.run("run-once", "-w", "json")
	if code != 0 {
		t.Fatalf("run-once: exit %d: %s", code, stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("run-once output %q: %v", out, err)
	}
	m := rows[0].Manifest
	data := filepath.Join(e.dir, "store", m.Object.Key)
	checkStored(t, m, data)

	plain := filepath.Join(t.TempDir(), "snapshot.db")
	zst := e.key.Decrypt(t, data)
	zstdBin := testgate.Require(t, "zstd")
	unz := exec.Command(zstdBin, "-d", "-q", "-o", plain)
	unz.Stdin = bytes.NewReader(zst)
	if b, err := unz.CombinedOutput(); err != nil {
		t.Fatalf("zstd -d: %v: %s", err, b)
	}
	checkPlain(t, m, plain)

	etcdutl := testgate.Require(t, "etcdutl")
	st, err := exec.Command(etcdutl, "snapshot", "status", plain, "-w", "json").Output()
	if err != nil {
		t.Fatalf("etcdutl snapshot status: %v", err)
	}
	var status struct {
		Hash     uint32 `json:"hash"`
		Revision int64  `json:"revision"`
		TotalKey int    `json:"totalKey"`
	}
	if err := json.Unmarshal(st, &status); err != nil {
		t.Fatal(err)
	}
	if status.Hash != m.Snapshot.Hash || status.Revision != m.Snapshot.Revision || status.TotalKey != m.Snapshot.TotalKeys {
		t.Fatalf("etcdutl status %+v, manifest %+v", status, m.Snapshot)
	}
	if m.Snapshot.TotalKeys != len(e.keys) {
		t.Fatalf("manifest total_keys %d, wrote %d", m.Snapshot.TotalKeys, len(e.keys))
	}

	dataDir := filepath.Join(t.TempDir(), "restored")
	peer := "http://127.0.0.1:" + itoa(etcdtest.FreePort(t))
	restore := exec.Command(etcdutl, "snapshot", "restore", plain, "--data-dir", dataDir, "--name", "r1",
		"--initial-cluster", "r1="+peer, "--initial-advertise-peer-urls", peer)
	if b, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("etcdutl snapshot restore: %v: %s", err, b)
	}
	r := etcdtest.StartDataDir(t, dataDir, "r1", peer)
	assertKeys(t, r, e.keys, m.Snapshot.Revision)
}

func checkStored(t *testing.T, m *catalog.Manifest, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	if fi.Size() != m.Object.Size || fileSHA(t, path) != m.Object.SHA256 {
		t.Fatalf("stored object size/sha256 differ from the manifest")
	}
	if m.Object.Encryption != "openpgp" || len(m.Object.Recipients) != 1 || m.Object.Compression != "zstd" {
		t.Fatalf("manifest object %+v", m.Object)
	}
	if !strings.HasSuffix(path, m.ID+".db.zst.pgp") {
		t.Fatalf("data key %s", path)
	}
}

func checkPlain(t *testing.T, m *catalog.Manifest, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != m.Snapshot.Size || fileSHA(t, path) != m.Snapshot.SHA256 {
		t.Fatalf("plain snapshot size %d sha %s, manifest %d %s", fi.Size(), fileSHA(t, path), m.Snapshot.Size, m.Snapshot.SHA256)
	}
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
