package config

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// fixture holds real files for configs to point at: OpenPGP keys made by gpg, TLS files and secrets.
type fixture struct {
	dir        string
	pub        string // public key with an encryption subkey
	signOnly   string // public key that can only sign
	secret     string // private key
	passphrase string
	password   string
	ca         string
	cert, key  string
	empty      string
}

const testPassword = "pw-never-in-errors-7f3a"

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	fixDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

// requireTool returns the path of name; under CI=true a missing tool fails the test.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found and CI=true: install it", name)
	}
	t.Skipf("%s not found: %v", name, err)
	return ""
}

// needFixture builds the shared fixture once per test binary.
func needFixture(t testing.TB) *fixture {
	t.Helper()
	gpg := requireTool(t, "gpg")
	fixOnce.Do(func() { fix, fixErr = makeFixture(gpg) })
	if fixErr != nil {
		t.Fatalf("build test fixture: %v", fixErr)
	}
	return fix
}

func makeFixture(gpg string) (*fixture, error) {
	dir, err := os.MkdirTemp("", "config-test-")
	if err != nil {
		return nil, err
	}
	fixDir = dir
	f := &fixture{dir: dir}
	if err := f.makeKeys(gpg); err != nil {
		return nil, err
	}
	f.ca, f.cert, f.key = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	if err := writeTLSFiles(f.ca, f.cert, f.key); err != nil {
		return nil, err
	}
	f.password = filepath.Join(dir, "password")
	f.passphrase = filepath.Join(dir, "passphrase")
	f.empty = filepath.Join(dir, "empty")
	for path, data := range map[string]string{f.password: testPassword, f.passphrase: "unused\n", f.empty: ""} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *fixture) makeKeys(gpg string) error {
	home := filepath.Join(f.dir, "gnupg")
	if err := os.Mkdir(home, 0o700); err != nil {
		return err
	}
	defer exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
	run := func(out string, args ...string) error {
		base := []string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}
		cmd := exec.Command(gpg, append(base, args...)...)
		data, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("gpg %v: %w: %s", args, err, errText(err))
		}
		if out == "" {
			return nil
		}
		return os.WriteFile(out, data, 0o600)
	}
	f.pub = filepath.Join(f.dir, "recipient.asc")
	f.signOnly = filepath.Join(f.dir, "signonly.asc")
	f.secret = filepath.Join(f.dir, "backup.key.asc")
	steps := []struct {
		out  string
		args []string
	}{
		{"", []string{"--quick-gen-key", "T <t@example.com>", "future-default", "default", "never"}},
		{"", []string{"--quick-gen-key", "S <s@example.com>", "ed25519", "sign", "never"}},
		{f.pub, []string{"--export", "--armor", "t@example.com"}},
		{f.signOnly, []string{"--export", "--armor", "s@example.com"}},
		{f.secret, []string{"--export-secret-keys", "--armor", "t@example.com"}},
	}
	for _, s := range steps {
		if err := run(s.out, s.args...); err != nil {
			return err
		}
	}
	return nil
}

func errText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}
