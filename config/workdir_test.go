package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSharedWorkDirsRefused: a spool_dir or verify.scratch_dir that etcd-backupd did not create and
// cannot take over (such as /tmp) is a config error naming the field, and is left as it was.
func TestSharedWorkDirsRefused(t *testing.T) {
	f := needFixture(t)
	shared := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"spool_dir", "verify.scratch_dir"} {
		_, err := parseWith(t, f, map[string]any{field: shared})
		if err == nil || !strings.Contains(err.Error(), field+": "+shared+" is shared") {
			t.Fatalf("%s: %s: %v, want it refused as shared", field, shared, err)
		}
	}
	fi, err := os.Stat(shared)
	if err != nil || fi.Mode().Perm() != 0o777 {
		t.Fatalf("the shared dir changed: %v %v", fi.Mode(), err)
	}
	if _, err := parseWith(t, f, map[string]any{"spool_dir": filepath.Join(shared, "etcd-backupd")}); err != nil {
		t.Fatalf("a new directory below it: %v", err)
	}
}
