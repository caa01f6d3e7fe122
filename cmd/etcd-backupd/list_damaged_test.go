package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListShowsDamagedManifest: one corrupt manifest among good ones hides none of them: list
// shows every good backup and the damaged one with its reason (table and JSON), exits 0 unless
// --strict, and check turns it into a finding.
func TestListShowsDamagedManifest(t *testing.T) {
	e := newEnv(t, 200)
	good := vrBackup(t, e)
	bad := vrBackup(t, e)
	_, manifest := vrFiles(e, bad)
	if err := os.WriteFile(manifest, []byte(`{"format": 1, "id": `), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := e.run("list")
	if code != 0 || !strings.Contains(out, good.ID) || !strings.Contains(out, "DAMAGED") ||
		!strings.Contains(out, bad.ID+" at ") {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = e.run("list", "-w", "json")
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 2 {
		t.Fatalf("list -w json: exit %d, %v\n%s", code, err, out)
	}
	for _, r := range rows {
		damaged := r.Damaged != nil
		if r.Destination == "" || damaged != (r.Manifest == nil) ||
			(damaged && (r.Damaged.ID != bad.ID || !strings.Contains(r.Damaged.Error, "decode manifest"))) ||
			(!damaged && r.ID != good.ID) {
			t.Fatalf("row %+v (damaged %+v)", r, r.Damaged)
		}
	}
	if _, stderr, code := e.run("list", "--strict"); code != 1 || !strings.Contains(stderr, "1 damaged manifest") {
		t.Fatalf("list --strict: exit %d: %s", code, stderr)
	}
	out, _, _ = e.run("check", "-w", "json")
	if !strings.Contains(out, "damaged manifest") || !strings.Contains(out, bad.ID) {
		t.Fatalf("check does not report the damaged manifest:\n%s", out)
	}
}

// TestListGoesOnPastADeadDestination: a destination that cannot be read is reported, and the
// others' backups are listed all the same.
func TestListGoesOnPastADeadDestination(t *testing.T) {
	e := newEnv(t, 200)
	dead := filepath.Join(e.dir, "dead")
	e.set("destinations", []any{
		map[string]any{"url": "file://" + dead},
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store")},
	})
	m := vrBackup(t, e)
	if err := os.Symlink("test-cluster", filepath.Join(dead, "test-cluster.tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dead, "test-cluster")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dead, "test-cluster.tmp"), filepath.Join(dead, "test-cluster")); err != nil {
		t.Fatal(err) // a link to itself: every read of the dead destination fails
	}
	out, stderr, code := e.run("list")
	if code != 1 || !strings.Contains(out, m.ID) || !strings.Contains(stderr, dead) {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestRunOnceJSONNamesDestinations: run-once -w json says where the backup was committed, one row
// per destination, as the table does.
func TestRunOnceJSONNamesDestinations(t *testing.T) {
	e := newEnv(t, 200)
	second := filepath.Join(e.dir, "second")
	e.set("destinations", []any{
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store")},
		map[string]any{"url": "file://" + second},
	})
	out, stderr, code := e.run("run-once", "-w", "json")
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 2 {
		t.Fatalf("run-once -w json: exit %d, %v\n%s\n%s", code, err, out, stderr)
	}
	for i, want := range []string{filepath.Join(e.dir, "store"), second} {
		if r := rows[i]; r.Destination != "file://"+want || r.Manifest == nil || r.Error != "" {
			t.Fatalf("row %d: %+v, want committed at %s", i, r, want)
		}
	}
	table, _, _ := e.run("list")
	if !strings.Contains(table, second) {
		t.Fatalf("list does not show %s:\n%s", second, table)
	}
}
