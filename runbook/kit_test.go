package runbook

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestKitScript runs the printed put-back script against a scratch root: missing files come back
// with their modes, existing ones and existing directories are left alone, and the static pod
// manifests land beside the manifests directory.
func TestKitScript(t *testing.T) {
	kit, root := t.TempDir(), t.TempDir()
	write := func(base, rel, data string, mode os.FileMode) {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	write(kit, "etc/kubernetes/pki/etcd/ca.crt", "kit ca", 0o644)
	write(kit, "etc/kubernetes/pki/etcd/server.key", "kit key", 0o600)
	write(kit, "etc/kubernetes/manifests/etcd.yaml", "kit pod", 0o600)
	write(kit, "etc/kubernetes/enc/config.yaml", "kit enc", 0o600)
	write(root, "etc/kubernetes/pki/etcd/ca.crt", "node ca", 0o644)
	if err := os.Chmod(filepath.Join(root, "etc"), 0o751); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", "-c", kitScript, "sh", kit, root+"/").CombinedOutput(); err != nil {
		t.Fatalf("script: %v: %s", err, out)
	}
	for rel, want := range map[string]struct {
		data string
		mode os.FileMode
	}{
		"etc/kubernetes/pki/etcd/ca.crt":     {"node ca", 0o644},
		"etc/kubernetes/pki/etcd/server.key": {"kit key", 0o600},
		"etc/kubernetes/etcd.yaml":           {"kit pod", 0o600},
		"etc/kubernetes/enc/config.yaml":     {"kit enc", 0o600},
	} {
		p := filepath.Join(root, rel)
		data, err := os.ReadFile(p)
		fi, serr := os.Stat(p)
		if err != nil || serr != nil || string(data) != want.data || fi.Mode().Perm() != want.mode {
			t.Errorf("%s: %q %v (%v, %v); want %q %v", rel, data, fi.Mode().Perm(), err, serr, want.data, want.mode)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/kubernetes/manifests/etcd.yaml")); !os.IsNotExist(err) {
		t.Errorf("a static pod manifest went into the manifests directory: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(root, "etc")); fi.Mode().Perm() != 0o751 {
		t.Errorf("the existing directory etc is now %v", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(root, "etc/kubernetes/enc")); fi.Mode().Perm() != 0o755 {
		t.Errorf("a directory made by the script is %v, want 0755", fi.Mode().Perm())
	}
}
