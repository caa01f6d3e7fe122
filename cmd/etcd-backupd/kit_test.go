package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
)

// withKit turns the kit on with a kubeadm-like tree on this host.
func (e *env) withKit() *kubeNode {
	e.t.Helper()
	node := newKubeNode(e.t, etcdtest.NewPKI(e.t), encryptionConfig(randomKey(e.t, 32), randomKey(e.t, 32), randomKey(e.t, 32)))
	e.cfg["kit"] = map[string]any{"enabled": true, "paths": node.paths}
	return node
}

// TestKitRoundTrip stores a kit with a backup, writes it back with fetch --kit (same bytes, keys
// 0600), and checks that prune removes it with its backup.
func TestKitRoundTrip(t *testing.T) {
	e := newEnv(t, 100).withPrivateKey()
	node := e.withKit()
	m := vrBackup(t, e)
	if m.Kit == nil || m.Kit.Files != 7 || m.Kit.EncryptionConfig != node.encConfig {
		t.Fatalf("manifest kit %+v", m.Kit)
	}
	stored := filepath.Join(e.dir, "store", filepath.FromSlash(m.Kit.Key))
	if data, err := os.ReadFile(stored); err != nil || strings.Contains(string(data), "PRIVATE KEY") {
		t.Fatalf("stored kit %s: %v (it must be encrypted)", stored, err)
	}
	dir := filepath.Join(t.TempDir(), "kit")
	out, stderr, code := e.run("fetch", m.ID, "--kit", dir, "-w", "json")
	if code != 0 {
		t.Fatalf("fetch --kit: exit %d: %s", code, stderr)
	}
	var f fetched
	if err := json.Unmarshal([]byte(out), &f); err != nil || f.Kit == nil || len(f.Kit.Files) != 7 {
		t.Fatalf("fetch --kit output %q: %v", out, err)
	}
	for _, p := range f.Kit.Files {
		orig := strings.TrimPrefix(p, dir)
		want, err := os.ReadFile(orig)
		got, gerr := os.ReadFile(p)
		if err != nil || gerr != nil || string(got) != string(want) {
			t.Fatalf("%s differs from %s (%v, %v)", p, orig, err, gerr)
		}
		if fi, _ := os.Stat(p); strings.HasSuffix(p, ".key") && fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s written %v; want 0600", p, fi.Mode().Perm())
		}
	}
	vrBackup(t, e)
	e.set("retention", map[string]any{"keep_last": 1})
	if _, stderr, code := e.run("prune"); code != 0 {
		t.Fatalf("prune: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stored); !os.IsNotExist(err) {
		t.Fatalf("kit of the pruned backup still stored: %v", err)
	}
}

// TestKitRefusals: a kit path missing on the node, a tampered kit, a backup without a kit.
func TestKitRefusals(t *testing.T) {
	e := newEnv(t, 100).withPrivateKey()
	m := vrBackup(t, e)
	if _, stderr, code := e.run("fetch", m.ID, "--kit", t.TempDir()); code == 0 || !strings.Contains(stderr, "no restore kit") {
		t.Fatalf("fetch --kit of a backup without a kit: exit %d: %s", code, stderr)
	}

	e.cfg["kit"] = map[string]any{"enabled": true, "paths": []string{filepath.Join(e.dir, "no-such-pki")}}
	out, stderr, code := e.run("run-once", "-w", "json")
	if code == 0 || !strings.Contains(stderr, "no-such-pki") || !strings.Contains(stderr, "kit.paths") {
		t.Fatalf("run-once with a missing kit path: exit %d: %s", code, stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || rows[0].Manifest == nil || rows[0].Manifest.Kit != nil {
		t.Fatalf("run-once output %q: %v; want the backup committed without a kit", out, err)
	}

	e.withKit()
	m = vrBackup(t, e)
	stored := filepath.Join(e.dir, "store", filepath.FromSlash(m.Kit.Key))
	data, err := os.ReadFile(stored)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(stored, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "kit")
	if _, stderr, code := e.run("fetch", m.ID, "--kit", dir); code == 0 || !strings.Contains(stderr, "sha256") {
		t.Fatalf("fetch --kit of a tampered kit: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a tampered kit left %s behind: %v", dir, err)
	}
	for _, mode := range []string{"--deep=false", "--deep"} {
		out, stderr, code = e.run("verify", m.ID, mode)
		if code == 0 || !strings.Contains(out+stderr, "kit") {
			t.Fatalf("verify %s of a tampered kit: exit %d: %s %s", mode, code, out, stderr)
		}
	}
}

// TestKitRekey rekeys a backup with a kit: the new backup's kit opens with the new key only, and
// the old kit goes with the old backup.
func TestKitRekey(t *testing.T) {
	e := newEnv(t, 50).withPrivateKey()
	e.withKit()
	old := vrBackup(t, e)
	keyB := gpgtest.NewKey(t, "rekey-b", "future-default", "b pass")
	rows := rkRekey(t, e, 0, "--all", "--recipient", keyB.PublicFile)
	if len(rows) != 1 || rows[0].NewID == "" {
		t.Fatalf("rekey rows %+v", rows)
	}
	nm := rkManifest(t, e, rows[0].NewID)
	if nm.Kit == nil || nm.Kit.Key == old.Kit.Key || nm.Kit.PlainSHA256 != old.Kit.PlainSHA256 {
		t.Fatalf("rekeyed kit %+v, old %+v", nm.Kit, old.Kit)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "store", filepath.FromSlash(old.Kit.Key))); !os.IsNotExist(err) {
		t.Fatalf("old kit still stored: %v", err)
	}
	if _, stderr, code := e.run("fetch", nm.ID, "--kit", filepath.Join(t.TempDir(), "a")); code == 0 {
		t.Fatalf("fetch --kit with the old key: exit 0: %s", stderr)
	}
	e.set("encryption.private_key", keyB.SecretFile)
	e.set("encryption.passphrase_file", keyB.PassphraseFile)
	if _, stderr, code := e.run("fetch", nm.ID, "--kit", filepath.Join(t.TempDir(), "b")); code != 0 {
		t.Fatalf("fetch --kit with the new key: exit %d: %s", code, stderr)
	}
}
