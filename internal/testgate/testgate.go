// Package testgate decides whether a test that needs an external tool runs,
// skips or fails. Tools are looked up in <repo>/.tools/bin first, then PATH.
// Under CI=true a missing tool fails the test instead of skipping it.
package testgate

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	rootOnce sync.Once
	root     string
)

// RepoRoot returns the directory holding go.mod, found by walking up from the
// working directory, or "" when there is none.
func RepoRoot() string {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		root = findRoot(dir)
	})
	return root
}

// findRoot walks up from dir to the first directory that holds go.mod.
func findRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// CI reports whether the tests run under CI (CI=true).
func CI() bool {
	return os.Getenv("CI") == "true"
}

// ToolsBin returns <repo>/.tools/bin, where scripts/install-tools.sh installs tools.
func ToolsBin() string {
	r := RepoRoot()
	if r == "" {
		return ""
	}
	return filepath.Join(r, ".tools", "bin")
}

// Require returns the path of an external tool, searched in <repo>/.tools/bin
// first, then PATH. When the tool is missing it fails the test under CI=true
// and skips it otherwise.
func Require(t testing.TB, tool string) string {
	t.Helper()
	if p := lookup(ToolsBin(), tool); p != "" {
		return p
	}
	if CI() {
		t.Fatalf("CI=true and %s is missing: run scripts/install-tools.sh", tool)
		return ""
	}
	t.Skipf("%s is missing: run scripts/install-tools.sh", tool)
	return ""
}

// lookup returns the executable tool in binDir, else on PATH, else "".
func lookup(binDir, tool string) string {
	if binDir != "" {
		p := filepath.Join(binDir, tool)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath(tool); err == nil {
		return p
	}
	return ""
}

// handedOut holds the ports FreePort returned in this process. The kernel may give a port it just
// freed to the next listener on :0, so a test that asks for several ports before it binds any (a
// member's peer port, then its client port) could get one twice.
var handedOut sync.Map

// FreePort returns a loopback TCP port that nothing listens on now and that it has not returned
// before in this process.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if _, seen := handedOut.LoadOrStore(port, true); !seen {
			return port
		}
	}
	t.Fatalf("find a free port: 100 ports in a row were given before")
	return 0
}

// Tmpfs mounts a tmpfs with options (such as "size=256k") at dir until the test ends. Mounting needs
// root: without it the test fails under CI=true and is skipped otherwise.
func Tmpfs(t testing.TB, dir, options string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir).CombinedOutput(); err != nil {
		if CI() {
			t.Fatalf("CI=true and a tmpfs cannot be mounted at %s (%v: %s): run the tests as root", dir, err, out)
		}
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}
