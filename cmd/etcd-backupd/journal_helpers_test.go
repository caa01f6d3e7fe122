package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.yaml.in/yaml/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// withJournal turns the journal on with short segments.
func (e *env) withJournal(maxAge string) {
	e.cfg["journal"] = map[string]any{"enabled": true, "segment_max_age": maxAge}
	e.set("encryption.private_key", e.key.SecretFile)
	e.set("encryption.passphrase_file", e.key.PassphraseFile)
}

// daemonProc is an `etcd-backupd run` process of the test binary.
type daemonProc struct {
	cmd     *exec.Cmd
	log     string
	metrics string // the /metrics URL
}

// startDaemonProc writes the config and starts `run` as a process, serving metrics on a free port,
// so that a test can read its metrics and SIGKILL it.
func (e *env) startDaemonProc() *daemonProc {
	e.t.Helper()
	port := etcdtest.FreePort(e.t)
	e.set("http.listen", fmt.Sprintf("127.0.0.1:%d", port))
	data, err := yaml.Marshal(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	path := filepath.Join(e.dir, "daemon.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
	d := &daemonProc{log: path + ".log", metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port)}
	logf, err := os.Create(d.log)
	if err != nil {
		e.t.Fatal(err)
	}
	d.cmd = exec.Command(buildBinary(e.t), "--config", path, "run")
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait(); logf.Close() })
	return d
}

// stop stops the daemon with SIGTERM and waits for it.
func (d *daemonProc) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		out, _ := os.ReadFile(d.log)
		t.Fatalf("daemon: %v\n%s", err, out)
	}
}

// journalDir is where the file destination keeps the journal.
func (e *env) journalDir() string { return filepath.Join(e.dir, "store", "test-cluster", "wal") }

// journaledUpTo is the last revision of the newest committed segment at the file destination.
func (e *env) journaledUpTo() int64 {
	var last int64
	for _, f := range files(e.t, e.journalDir()) {
		name, ok := cutSuffix(f, ".json")
		if !ok {
			continue
		}
		if _, l, ok := journal.ParseName(name); ok && l > last {
			last = l
		}
	}
	return last
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || s[len(s)-len(suffix):] != suffix {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// waitJournaled waits until the journal holds rev, or fails after within.
func (e *env) waitJournaled(rev int64, within time.Duration, d *daemonProc) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for e.journaledUpTo() < rev {
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(d.log)
			e.t.Fatalf("journal reached %d, not %d, after %s\n%s", e.journaledUpTo(), rev, within, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keyspaceAt is every key-value the member served at rev.
func keyspaceAt(t *testing.T, c *clientv3.Client, rev int64) []*mvccpb.KeyValue {
	t.Helper()
	resp, err := c.Get(context.Background(), "", clientv3.WithPrefix(), clientv3.WithRev(rev))
	if err != nil {
		t.Fatalf("get at %d: %v", rev, err)
	}
	return resp.Kvs
}

// assertKeyspace fails unless got equals want: every key, value, revision, version and lease.
func assertKeyspace(t *testing.T, rev int64, want, got []*mvccpb.KeyValue) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("revision %d: %d keys restored, %d expected", rev, len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if string(w.Key) != string(g.Key) || string(w.Value) != string(g.Value) ||
			w.CreateRevision != g.CreateRevision || w.ModRevision != g.ModRevision ||
			w.Version != g.Version || w.Lease != g.Lease {
			t.Fatalf("revision %d, key %q: restored %s, expected %s", rev, w.Key, kvString(g), kvString(w))
		}
	}
}

func kvString(kv *mvccpb.KeyValue) string {
	return fmt.Sprintf("{key %q, %d value bytes, create %d, mod %d, version %d, lease %x}", kv.Key, len(kv.Value),
		kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease)
}

// restoreServe restores with args into a new data dir, serves it and returns the member.
func (e *env) restoreServe(args ...string) *etcdtest.Member {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "data")
	out, stderr, code := e.run(append([]string{"restore", "--data-dir", dir, "--no-bump-revision"}, args...)...)
	if code != 0 {
		e.t.Fatalf("restore %v: exit %d: %s%s", args, code, stderr, out)
	}
	return etcdtest.StartDataDir(e.t, dir, "default", "http://localhost:2380")
}
