package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/tamper"
)

// TestFetch writes a verified snapshot, and nothing when the backup is tampered with.
func TestFetch(t *testing.T) {
	e := newEnv(t, 500).withPrivateKey()
	m := vrBackup(t, e)
	file := filepath.Join(t.TempDir(), "snap.db")
	out, stderr, code := e.run("fetch", "latest", "-o", file, "-w", "json")
	if code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	if stderr != "" { // not a terminal: no progress
		t.Fatalf("fetch wrote to stderr: %q", stderr)
	}
	var f fetched
	if err := json.Unmarshal([]byte(out), &f); err != nil || f.BackupID != m.ID || f.SHA256 != m.Snapshot.SHA256 {
		t.Fatalf("fetch output %q: %v", out, err)
	}
	checkPlain(t, m, file)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("fetched file: %v, %v", fi, err)
	}

	data, _ := vrFiles(e, m)
	tamper.Flip(t, data, m.Object.Size/3)
	bad := filepath.Join(t.TempDir(), "bad.db")
	_, stderr, code = e.run("fetch", m.ID, "-o", bad)
	vrExpect(t, stderr, code, 1, `fetch \S+ at \S+: stored sha256 mismatch`)
	if got := files(t, filepath.Dir(bad)); len(got) != 0 {
		t.Fatalf("a failed fetch left %v", got)
	}
}
