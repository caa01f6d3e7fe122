package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/internal/tamper"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
	"github.com/etcd-backupd/etcd-backupd/workdir"
)

// badPath is one way to break a backup, and what verify must say.
type badPath struct {
	name   string
	break_ func(t *testing.T, e *env, m *catalog.Manifest)
	code   int
	want   string
	record bool // a failed drill record is expected
}

// TestVerifyBadPaths breaks a fresh backup in each way and checks the exit code, the error line and
// the failed drill record that list shows.
func TestVerifyBadPaths(t *testing.T) {
	e := newEnv(t, 2000).withPrivateKey()
	for _, c := range badPaths(t, e) {
		t.Run(c.name, func(t *testing.T) {
			e := *e
			e.t, e.cfg = t, deepCopy(e.cfg)
			m := vrBackup(t, &e)
			c.break_(t, &e, m)
			_, stderr, code := e.run("verify", m.ID)
			vrExpect(t, stderr, code, c.code, c.want)
			if !c.record {
				return
			}
			if d := vrLastDrills(t, &e)[m.ID]; d == nil || d.OK || d.Mode != catalog.ModeQuick ||
				!strings.Contains(stderr, d.Error) {
				t.Fatalf("list shows drill %+v for %s", d, m.ID)
			}
		})
	}
}

func badPaths(t *testing.T, e *env) []badPath {
	other := gpgtest.NewKey(t, "other", "future-default", "")
	wrongPass := filepath.Join(e.dir, "wrong.pass")
	if err := os.WriteFile(wrongPass, []byte("not the passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const hex = `[0-9a-f]{64}`
	return []badPath{
		{"tampered first byte", func(t *testing.T, e *env, m *catalog.Manifest) { data, _ := vrFiles(e, m); tamper.Flip(t, data, 0) },
			1, `stored sha256 mismatch: manifest ` + hex + `, got ` + hex, true},
		{"tampered middle byte", func(t *testing.T, e *env, m *catalog.Manifest) {
			data, _ := vrFiles(e, m)
			tamper.Flip(t, data, m.Object.Size/2)
		},
			1, `stored sha256 mismatch: manifest ` + hex + `, got ` + hex + ` \(decrypt: openpgp integrity check failed`, true},
		{"tampered last byte", func(t *testing.T, e *env, m *catalog.Manifest) {
			data, _ := vrFiles(e, m)
			tamper.Flip(t, data, m.Object.Size-1)
		},
			1, `stored sha256 mismatch: manifest ` + hex + `, got ` + hex, true},
		{"tampered object and manifest", func(t *testing.T, e *env, m *catalog.Manifest) {
			data, manifest := vrFiles(e, m)
			tamper.Flip(t, data, m.Object.Size/2)
			vrEditManifest(t, manifest, func(m *catalog.Manifest) { m.Object.SHA256 = fileSHA(t, data) })
		}, 1, `decrypt: openpgp integrity check failed \(tampered or truncated data\)`, true},
		{"truncated", func(t *testing.T, e *env, m *catalog.Manifest) {
			data, _ := vrFiles(e, m)
			os.Truncate(data, m.Object.Size*2/3)
		},
			1, `truncated backup: stored object \S+ is \d+ bytes, manifest says \d+`, true},
		{"wrong private key", func(t *testing.T, e *env, m *catalog.Manifest) {
			e.set("encryption.private_key", other.SecretFile)
			e.set("encryption.passphrase_file", "")
		}, 1, `decrypt: no matching private key for this backup: message is encrypted to key IDs`, true},
		{"wrong passphrase", func(t *testing.T, e *env, m *catalog.Manifest) { e.set("encryption.passphrase_file", wrongPass) },
			2, `encryption.private_key: decrypt private key .*wrong passphrase for private key`, false},
		{"private key that is no key", func(t *testing.T, e *env, m *catalog.Manifest) {
			e.set("encryption.private_key", wrongPass)
			e.set("encryption.passphrase_file", "")
		}, 2, `encryption.private_key: `, false},
		{"no private key", func(t *testing.T, e *env, m *catalog.Manifest) {
			e.set("encryption.private_key", "")
			e.set("encryption.passphrase_file", "")
		}, 2, `encryption.private_key: not set; backup \S+ is encrypted`, false},
		{"manifest deleted", func(t *testing.T, e *env, m *catalog.Manifest) { _, manifest := vrFiles(e, m); os.Remove(manifest) },
			1, `backup \S+ at file://\S+: no such backup`, false},
		{"data deleted", func(t *testing.T, e *env, m *catalog.Manifest) { data, _ := vrFiles(e, m); os.Remove(data) },
			1, `the data object is missing: .*object not found`, true},
	}
}

// TestVerifyGood runs quick and deep verifications, in table and JSON, and sees them in list.
func TestVerifyGood(t *testing.T) {
	e := newEnv(t, 1500).withPrivateKey()
	m := vrBackup(t, e)
	out, stderr, code := e.run("verify")
	if code != 0 || !strings.Contains(out, "result       ok") || !strings.Contains(out, m.ID) {
		t.Fatalf("verify: exit %d, stdout:\n%s\nstderr: %s", code, out, stderr)
	}
	if d := vrLastDrills(t, e)[m.ID]; d == nil || !d.OK || d.Mode != catalog.ModeQuick {
		t.Fatalf("list shows drill %+v after a quick verify", d)
	}
	out, stderr, code = e.run("verify", "latest", "--deep", "-w", "json")
	if code != 0 {
		t.Fatalf("verify --deep: exit %d: %s", code, stderr)
	}
	var d drillOutput
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("verify --deep output %q: %v", out, err)
	}
	if !d.OK || d.Mode != catalog.ModeDeep || d.Figures["served_keys"] != int64(m.Snapshot.TotalKeys) ||
		d.Figures["served_revision"] != m.Snapshot.Revision || d.Manifest.ID != m.ID {
		t.Fatalf("deep drill %+v", d)
	}
	out, _, code = e.run("list")
	if code != 0 || !strings.Contains(out, "ok deep ") {
		t.Fatalf("list after verify --deep:\n%s", out)
	}
	out, _, code = e.run("verify", "--deep")
	if code != 0 || !strings.Contains(out, "keys per Kubernetes resource") || !strings.Contains(out, "pods") {
		t.Fatalf("verify --deep table:\n%s", out)
	}
}

// TestVerifyDeepScratchFull runs a deep verification whose scratch dir is a tiny tmpfs.
func TestVerifyDeepScratchFull(t *testing.T) {
	e := newEnv(t, 2000).withPrivateKey()
	scratch := filepath.Join(e.dir, "scratch")
	e.set("verify", map[string]any{"scratch_dir": scratch})
	m := vrBackup(t, e)
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		t.Fatal(err)
	}
	testgate.Tmpfs(t, scratch, "size=256k,mode=0700") // empty and private: taken over
	_, stderr, code := e.run("verify", "--deep", m.ID)
	vrExpect(t, stderr, code, 1, `deep verify \S+ at \S+: write `+scratch+`/drill-\d+/data/member/snap/db: no space left on device`)
	if got := files(t, scratch); len(got) != 2 || got[0] != workdir.Marker || got[1] != ".lock" {
		t.Fatalf("scratch dir holds %v after the failure", got)
	}
	if d := vrLastDrills(t, e)[m.ID]; d == nil || d.OK || d.Mode != catalog.ModeDeep {
		t.Fatalf("list shows drill %+v", d)
	}
}

// TestVerifyUsage checks the usage errors.
func TestVerifyUsage(t *testing.T) {
	e := newEnv(t, 0)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"verify", "yesterday"}, `backup ID "yesterday"`},
		{[]string{"verify", "a", "b"}, `verify takes one backup ID or latest, got \["a" "b"\]`},
		{[]string{"fetch", "latest"}, `-o FILE or --kit DIR is required`},
		{[]string{"verify", "--from", "s3://nowhere", "latest"}, `--from "s3://nowhere": no such destination`},
	}
	for _, c := range cases {
		_, stderr, code := e.run(c.args...)
		vrExpect(t, stderr, code, 2, c.want)
	}
}
