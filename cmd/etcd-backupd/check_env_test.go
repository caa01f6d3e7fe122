package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// testCertFlags lower the certificate thresholds below the validity of the test PKI, whose server and
// client certificates last 24h and whose CA lasts 30 days.
var testCertFlags = []string{"--cert-warn=2h", "--cert-critical=1h"}

// newCheckEnv is an env for endpoints of a cluster that uses pki, with plaintext backups to a file
// destination, so that no key is needed.
func newCheckEnv(t *testing.T, pki *etcdtest.PKI, endpoints []string) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	e.cfg = map[string]any{
		"cluster_name": "test-cluster",
		"etcd": map[string]any{
			"endpoints": endpoints,
			"cacert":    pki.CACert, "cert": pki.ClientCert, "key": pki.ClientKey,
			"dial_timeout": "2s",
		},
		"schedule":     map[string]any{"backup": "@every 1h", "verify": ""},
		"spool_dir":    filepath.Join(e.dir, "spool"),
		"encryption":   map[string]any{"disabled": true},
		"destinations": []any{map[string]any{"url": "file://" + filepath.Join(e.dir, "store")}},
		"http":         map[string]any{"listen": ""},
		"log":          map[string]any{"level": "error"},
	}
	return e
}

// backupNow takes a backup with run-once.
func (e *env) backupNow() {
	e.t.Helper()
	if _, stderr, code := e.run("run-once"); code != 0 {
		e.t.Fatalf("run-once: exit %d: %s", code, stderr)
	}
}

// checkJSON runs check -w json and decodes the report.
func (e *env) checkJSON(args ...string) (*check.Report, int) {
	e.t.Helper()
	stdout, stderr, code := e.run(append([]string{"check", "-w", "json"}, args...)...)
	var r check.Report
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		e.t.Fatalf("decode check -w json: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	return &r, code
}

// findingOf returns the first finding whose subject starts with subject.
func findingOf(r *check.Report, subject string) (check.Finding, bool) {
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Subject, subject) {
			return f, true
		}
	}
	return check.Finding{}, false
}

// assertSameContent prints r as a table and checks that every member and finding of r is in it.
func assertSameContent(t *testing.T, r *check.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := printReport(&b, outTable, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, m := range r.Members {
		if !strings.Contains(out, m.Endpoint) || !strings.Contains(out, m.ID) {
			t.Fatalf("table lacks member %s %s:\n%s", m.Endpoint, m.ID, out)
		}
	}
	for _, f := range r.Findings {
		line := strings.ToUpper(f.Severity.String())
		if !strings.Contains(out, line+"  ") || !strings.Contains(out, f.Subject+": "+f.Message) ||
			(f.Action != "" && !strings.Contains(out, "-> "+f.Action)) {
			t.Fatalf("table lacks finding %+v:\n%s", f, out)
		}
	}
	for _, s := range r.Runbook {
		for _, c := range s.Commands {
			if !strings.Contains(out, "   "+c+"\n") {
				t.Fatalf("table lacks runbook command %s:\n%s", c, out)
			}
		}
	}
	return out
}
