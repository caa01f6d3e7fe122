package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// TestRunOnceFailures checks that each failure leaves no backup and no spool file, exits non-zero and
// prints one error naming the step and the cause.
func TestRunOnceFailures(t *testing.T) {
	e := newEnv(t, 200)
	other := etcdtest.NewPKI(t)
	foreignCert, foreignKey := other.Issue(t, "foreign", time.Hour, false, true)
	notDir := filepath.Join(e.dir, "regular-file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		setup func(e *env)
		code  int
		want  string // regexp matched against stderr
	}{
		{"wrong CA", func(e *env) { e.set("etcd.cacert", other.CACert) },
			1, regexp.QuoteMeta(e.etcd.Endpoint) + `: tls: server certificate not trusted .*unknown authority`},
		{"no client cert", func(e *env) { e.set("etcd.cert", ""); e.set("etcd.key", "") },
			1, `client certificate`},
		{"foreign client cert", func(e *env) { e.set("etcd.cert", foreignCert); e.set("etcd.key", foreignKey) },
			1, `client certificate`},
		{"unwritable destination", func(e *env) {
			e.set("destinations", []any{map[string]any{"url": "file://" + filepath.Join(notDir, "store")}})
		}, 1, `destinations\[0\].*` + regexp.QuoteMeta(notDir)},
		{"bad recipient key", func(e *env) { e.set("encryption.recipients", []string{other.CACert}) },
			2, `encryption.recipients\[0\]`},
		{"unknown config key", func(e *env) { e.set("etcd.endpoint", "x") }, 2, `etcd.endpoint`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := *e
			e.t = t
			e.cfg = deepCopy(e.cfg)
			c.setup(&e)
			_, stderr, code := e.run("run-once")
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, stderr)
			}
			line := lastLine(stderr)
			if !regexp.MustCompile(c.want).MatchString(line) {
				t.Fatalf("error line %q does not match %q", line, c.want)
			}
			e.assertNoBackup()
		})
	}
}

// TestRunOnceEtcdDown checks the error when no member answers.
func TestRunOnceEtcdDown(t *testing.T) {
	e := newEnv(t, 10)
	e.etcd.Stop()
	_, stderr, code := e.run("run-once")
	if code != 1 || !strings.Contains(lastLine(stderr), e.etcd.Endpoint) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	e.assertNoBackup()
}

// TestRunOnceSpoolFull runs a backup whose spool is a tiny tmpfs.
func TestRunOnceSpoolFull(t *testing.T) {
	e := newEnv(t, 2000)
	spool := filepath.Join(e.dir, "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	testgate.Tmpfs(t, spool, "size=256k,mode=0700")
	_, stderr, code := e.run("run-once")
	if code != 1 || !regexp.MustCompile(`spool .*no space left on device`).MatchString(lastLine(stderr)) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	e.assertNoBackup()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}
