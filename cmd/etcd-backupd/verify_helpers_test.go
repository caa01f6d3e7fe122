package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// withPrivateKey lets the env decrypt its backups.
func (e *env) withPrivateKey() *env {
	e.set("encryption.private_key", e.key.SecretFile)
	e.set("encryption.passphrase_file", e.key.PassphraseFile)
	return e
}

// vrBackup writes a key, so that the revision and the ID are new, and takes a backup with run-once.
func vrBackup(t *testing.T, e *env) *catalog.Manifest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.etcd.Client(t).Put(ctx, "/marker", time.Now().String()); err != nil {
		t.Fatal(err)
	}
	return e.runOnce()
}

// vrFiles returns the data object and manifest paths of m.
func vrFiles(e *env, m *catalog.Manifest) (data, manifest string) {
	return filepath.Join(e.dir, "store", filepath.FromSlash(m.Object.Key)), filepath.Join(e.storeDir(), m.ID+".json")
}

// vrEditManifest rewrites a stored manifest with edit applied.
func vrEditManifest(t *testing.T, path string, edit func(m *catalog.Manifest)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := catalog.DecodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = m.Encode(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// vrLastDrills lists the backups and returns the last drill shown for each.
func vrLastDrills(t *testing.T, e *env) map[string]*catalog.Drill {
	t.Helper()
	out, stderr, code := e.run("list", "-w", "json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("list output %q: %v", out, err)
	}
	drills := map[string]*catalog.Drill{}
	for _, r := range rows {
		drills[r.ID] = r.LastDrill
	}
	return drills
}

// vrExpect checks the exit code and that the error line matches want.
func vrExpect(t *testing.T, stderr string, code, wantCode int, want string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr: %s", code, wantCode, stderr)
	}
	if line := lastLine(stderr); !regexp.MustCompile(want).MatchString(line) {
		t.Fatalf("error line %q does not match %q", line, want)
	}
}

// vrTree describes every entry under dir: mode, size, modification time and content.
func vrTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%v %d %s", fi.Mode(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
