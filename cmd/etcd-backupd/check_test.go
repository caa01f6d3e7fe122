package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// TestCheckCluster checks a healthy 3-member TLS cluster of real etcd processes, then the same cluster
// with a member down.
func TestCheckCluster(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	e := newCheckEnv(t, c.PKI, c.Endpoints()[:1])
	if _, _, code := e.run("check"); code != 1 {
		t.Fatalf("check before any backup: exit %d, want 1", code)
	}
	e.backupNow()

	r, code := e.checkJSON(testCertFlags...)
	if code != 0 || r.Result == check.Critical {
		t.Fatalf("healthy cluster: exit %d, result %s:\n%+v", code, r.Result, r.Findings)
	}
	leaders := 0
	for _, m := range r.Members {
		if !m.Answers || m.Version == "" || m.RaftIndex == 0 || m.DBSize == 0 || m.Quota == 0 {
			t.Fatalf("member row %+v, want a complete status", m)
		}
		if m.Leader {
			leaders++
		}
	}
	if len(r.Members) != 3 || leaders != 1 || len(r.Alarms) != 0 {
		t.Fatalf("members %d, leaders %d, alarms %v; want 3, 1, none", len(r.Members), leaders, r.Alarms)
	}
	if f, _ := findingOf(r, "backups at "); f.Severity != check.OK || !strings.Contains(f.Message, "1 committed") {
		t.Fatalf("backup finding %+v, want ok with one backup", f)
	}
	assertSameContent(t, r)
	if _, _, code := e.run(append([]string{"check", "--strict"}, testCertFlags...)...); code != 1 {
		t.Fatalf("check --strict with drills off (a warning): exit %d, want 1", code)
	}

	down := c.Members[2]
	down.Stop()
	stdout, stderr, code := e.run(append([]string{"check"}, testCertFlags...)...)
	want := fmt.Sprintf("CRITICAL  member %s (%s): does not answer: status of %s", down.Name, down.Endpoint, down.Endpoint)
	if code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "quorum: held by 2 of 3") {
		t.Fatalf("member down: exit %d, stdout lacks %q or the quorum warning:\n%s", code, want, stdout)
	}
	if !strings.Contains(lastLine(stderr), "check: 1 critical") {
		t.Fatalf("stderr %q, want the count of critical findings", stderr)
	}
	assertQuorumLost(t, e, c)
}

// assertQuorumLost stops a second member of three: the one left knows the membership but cannot serve
// a linearizable read.
func assertQuorumLost(t *testing.T, e *env, c *etcdtest.Cluster) {
	t.Helper()
	c.Members[1].Stop()
	r, code := e.checkJSON(testCertFlags...)
	f, _ := findingOf(r, "quorum")
	if code != 1 || f.Severity != check.Critical || !strings.Contains(f.Message, "LOST: 1 of 3 voting members are up") {
		t.Fatalf("quorum lost: exit %d, quorum finding %+v", code, f)
	}
	if len(r.Members) != 3 || r.Members[0].Answers || !strings.Contains(r.Members[0].Errors[0], "linearizable read") {
		t.Fatalf("members without quorum: %+v", r.Members)
	}
}

// TestCheckNoSpace raises a real NOSPACE alarm, checks that check names it and prints the runbook, then
// runs the runbook's commands with the real etcdctl and checks that the cluster is healthy again.
func TestCheckNoSpace(t *testing.T) {
	etcdctl := testgate.Require(t, "etcdctl")
	c := etcdtest.StartCluster(t, 3, fmt.Sprintf("--quota-backend-bytes=%d", 16<<20))
	e := newCheckEnv(t, c.PKI, c.Endpoints())
	e.backupNow()
	etcdtest.FillUntilNoSpace(t, c.Client(t))

	r, code := e.checkJSON(testCertFlags...)
	f, ok := findingOf(r, "alarm NOSPACE")
	if code != 1 || !ok || f.Severity != check.Critical || len(r.Runbook) != 5 {
		t.Fatalf("under NOSPACE: exit %d, NOSPACE finding %+v (found %v), %d runbook steps", code, f, ok, len(r.Runbook))
	}
	out := assertSameContent(t, r)
	if !strings.Contains(out, "NOSPACE RUNBOOK") || !strings.Contains(out, "--cacert="+c.PKI.CACert) {
		t.Fatalf("table lacks the runbook with the TLS flags:\n%s", out)
	}

	var script []string
	for _, s := range r.Runbook[:len(r.Runbook)-1] { // the last step runs check, which the test does in-process
		script = append(script, s.Commands...)
	}
	cmd := exec.Command("sh", "-ec", strings.Join(script, "\n"))
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(etcdctl)+string(os.PathListSeparator)+os.Getenv("PATH"))
	runbookOut, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run the runbook: %v\n%s\nscript:\n%s", err, runbookOut, strings.Join(script, "\n"))
	}
	if want := r.Runbook[len(r.Runbook)-1].Commands[0]; want != "etcd-backupd --config "+e.cfgPth+" check" {
		t.Fatalf("last step %q does not run this check", want)
	}
	r, code = e.checkJSON(testCertFlags...)
	if code != 0 || len(r.Alarms) != 0 || len(r.Runbook) != 0 {
		t.Fatalf("after the runbook: exit %d, alarms %v, findings %+v\nrunbook output:\n%s", code, r.Alarms, r.Findings, runbookOut)
	}
	if _, err := c.Client(t).Put(t.Context(), "/after-runbook", "v"); err != nil {
		t.Fatalf("put after the runbook: %v", err)
	}
}

// TestCheckCertExpiry checks a client certificate close to expiry against the thresholds.
func TestCheckCertExpiry(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki})
	e := newCheckEnv(t, pki, []string{m.Endpoint})
	e.backupNow()
	cases := []struct {
		name     string
		validFor time.Duration
		flags    []string // the server certificate lasts 24h; flags keep it out of the way
		sev      check.Severity
		message  string
		code     int
	}{
		{"3 days: critical", 3 * 24 * time.Hour, nil, check.Critical, "expires on", 1},
		{"20 days: warning", 20 * 24 * time.Hour, []string{"--cert-critical=12h"}, check.Warn, "(19 days left)", 0},
		{"expired", -time.Hour, testCertFlags, check.Critical, "expired on", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cert, key := pki.Issue(t, strings.Fields(tc.name)[0]+"d", tc.validFor, false, true)
			e.t = t
			e.set("etcd.cert", cert)
			e.set("etcd.key", key)
			r, code := e.checkJSON(tc.flags...)
			f, ok := findingOf(r, "client certificate "+cert)
			if code != tc.code || !ok || f.Severity != tc.sev || !strings.Contains(f.Message, tc.message) {
				t.Fatalf("exit %d (want %d), client certificate finding %+v (found %v), want %s with %q",
					code, tc.code, f, ok, tc.sev, tc.message)
			}
		})
	}
}

func TestCheckUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-w", "yaml"}, "--write-out"},
		{[]string{"--cert-warn=1h", "--cert-critical=2h"}, "want 0 <= critical <= warn"},
		{[]string{"--timeout=0s"}, "--timeout 0s: must be positive"},
		{[]string{"extra"}, "extra"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		code := execute(append([]string{"--config", "/nonexistent/config.yaml", "check"}, tc.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Fatalf("check %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestCheckWithEtcdAuth checks a member with RBAC on, as a user who may read no key: the read of the
// health key is refused, which still proves the member serves reads.
func TestCheckWithEtcdAuth(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki})
	e := newCheckEnv(t, pki, []string{m.Endpoint})
	e.backupNow()
	c := m.Client(t)
	ctx := t.Context()
	for _, step := range []func() error{
		func() error { _, err := c.UserAdd(ctx, "root", "root-pass"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := c.RoleAdd(ctx, "nothing"); return err },
		func() error { _, err := c.UserAdd(ctx, "monitor", "m0n-pass"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "monitor", "nothing"); return err },
		func() error { _, err := c.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	pass := filepath.Join(e.dir, "etcd password")
	if err := os.WriteFile(pass, []byte("m0n-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.set("etcd.username", "monitor")
	e.set("etcd.password_file", pass)
	r, code := e.checkJSON(testCertFlags...)
	if code != 0 || len(r.Members) != 1 || !r.Members[0].Answers {
		t.Fatalf("check as a user without key access: exit %d, members %+v, findings %+v", code, r.Members, r.Findings)
	}
	stdout, _, _ := e.run(append([]string{"check"}, testCertFlags...)...)
	if strings.Contains(stdout, "m0n-pass") {
		t.Fatal("the password appears in the output")
	}
	access := check.Access{Endpoints: []string{m.Endpoint}, Username: "monitor", PasswordFile: pass}
	if got := check.NoSpaceRunbook(&cluster.Health{}, access, e.cfgPth)[1].Commands[0]; !strings.Contains(got,
		"--user=monitor --password=\"$(cat '"+pass+"')\"") {
		t.Fatalf("runbook command %q lacks the user and password file", got)
	}
}
