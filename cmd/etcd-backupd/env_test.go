package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
	"github.com/etcd-backupd/etcd-backupd/verify"
	"github.com/etcd-backupd/etcd-backupd/workdir"
)

func TestMain(m *testing.M) {
	snapstat.RunChild()
	verify.RunChild()
	code := m.Run()
	gpgtest.Cleanup()
	os.Exit(code)
}

// env is one etcd member with data, a recipient key and a config file pointing at a file destination.
type env struct {
	t      *testing.T
	etcd   *etcdtest.Member
	key    *gpgtest.Key
	dir    string
	cfg    map[string]any
	keys   []string
	cfgPth string
}

func newEnv(t *testing.T, nkeys int) *env {
	t.Helper()
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki})
	e := &env{t: t, etcd: m, key: gpgtest.NewKey(t, "backup", "future-default", "secret pass"), dir: t.TempDir()}
	if nkeys > 0 {
		e.keys = etcdtest.Fill(t, m.Client(t), nkeys, 512, 1)
	}
	e.setBaseConfig([]string{m.Endpoint}, pki)
	return e
}

// setBaseConfig is the config of every test env: etcd at endpoints with pki's client pair, a file
// destination and a spool under e.dir, encryption to e.key.
func (e *env) setBaseConfig(endpoints []string, pki *etcdtest.PKI) {
	e.cfg = map[string]any{
		"cluster_name": "test-cluster",
		"etcd": map[string]any{"endpoints": endpoints, "cacert": pki.CACert, "cert": pki.ClientCert,
			"key": pki.ClientKey, "dial_timeout": "2s"},
		"schedule":     map[string]any{"backup": "@every 1h", "verify": ""},
		"spool_dir":    filepath.Join(e.dir, "spool"),
		"encryption":   map[string]any{"recipients": []string{e.key.PublicFile}},
		"destinations": []any{map[string]any{"url": "file://" + filepath.Join(e.dir, "store")}},
		"http":         map[string]any{"listen": ""},
		"log":          map[string]any{"level": "error"},
	}
}

// set changes one config value by dotted path, e.g. "etcd.cacert".
func (e *env) set(path string, v any) {
	parts := strings.Split(path, ".")
	m := e.cfg
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	m[parts[len(parts)-1]] = v
}

// run writes the config and runs the CLI in-process.
func (e *env) run(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	data, err := yaml.Marshal(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.cfgPth = filepath.Join(e.dir, "config.yaml")
	if err := os.WriteFile(e.cfgPth, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code = execute(append([]string{"--config", e.cfgPth}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func (e *env) storeDir() string { return filepath.Join(e.dir, "store", "test-cluster", "snapshots") }

// files lists the names in dir, or nothing if it does not exist.
func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// assertNoBackup checks the failure invariants: no manifest, no data object, no spool leftover.
func (e *env) assertNoBackup() {
	e.t.Helper()
	if got := files(e.t, e.storeDir()); len(got) != 0 {
		e.t.Fatalf("store holds %v after a failed backup", got)
	}
	for _, f := range files(e.t, filepath.Join(e.dir, "spool")) {
		if f != ".lock" && f != workdir.Marker {
			e.t.Fatalf("spool holds %s after a failed backup", f)
		}
	}
}

// runOnce runs run-once -w json and returns the backup it committed: one row per destination,
// each committed, all of one backup.
func (e *env) runOnce() *catalog.Manifest {
	e.t.Helper()
	out, stderr, code := e.run("run-once", "-w", "json")
	if code != 0 {
		e.t.Fatalf("run-once: exit %d: %s", code, stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		e.t.Fatalf("run-once output %q: %v", out, err)
	}
	for _, r := range rows {
		if r.Manifest == nil || r.ID != rows[0].ID || r.Error != "" || r.Destination == "" {
			e.t.Fatalf("run-once row %+v, want %s committed", r, rows[0].ID)
		}
	}
	return rows[0].Manifest
}
