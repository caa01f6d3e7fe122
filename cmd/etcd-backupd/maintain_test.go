package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/maintain"
)

// clusterEnv is an env on a real three-member TLS cluster of etcd processes.
func clusterEnv(t *testing.T, args ...string) (*env, *etcdtest.Cluster) {
	t.Helper()
	cl := etcdtest.StartCluster(t, 3, args...)
	e := &env{t: t, key: gpgtest.NewKey(t, "backup", "future-default", ""), dir: t.TempDir()}
	e.setBaseConfig(cl.Endpoints(), cl.PKI)
	e.cfg["maintenance"] = map[string]any{"nospace": "remediate"}
	return e, cl
}

// TestNoSpace raises NOSPACE for real (a 16 MiB quota, the same key rewritten, so that compaction
// frees space): run-once still commits a backup; maintain --nospace takes one more and brings the
// cluster back to accepting writes with the alarm disarmed; and the daemon's own NOSPACE job does
// the same the next time.
func TestNoSpace(t *testing.T) {
	e, cl := clusterEnv(t, fmt.Sprintf("--quota-backend-bytes=%d", 16<<20))
	c := cl.Client(t)
	etcdtest.FillUntilNoSpace(t, c)
	if _, stderr, code := e.run("run-once"); code != 0 {
		t.Fatalf("run-once under NOSPACE: exit %d: %s", code, stderr)
	}
	out, stderr, code := e.run("maintain", "--nospace", "-w", "json")
	var rep maintain.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("maintain --nospace: exit %d, %v\n%s\n%s", code, err, out, stderr)
	}
	if !rep.BackupTaken || rep.NoSpace == nil || !rep.NoSpace.Disarmed || rep.CompactedRevision == 0 {
		t.Fatalf("report %+v", rep)
	}
	assertWritable(t, c)
	if got := len(e.runOnce().ID); got == 0 || len(e.listIDs()) != 3 {
		t.Fatalf("backups listed: %v, want the run-once, maintain's and this one", e.listIDs())
	}

	etcdtest.FillUntilNoSpace(t, c)
	g := &globals{configPath: e.cfgPth, stdout: new(strings.Builder), stderr: new(strings.Builder)}
	a, d, err := g.openJobs(context.Background(), (*config.Config).DaemonConfig, true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := d.Maintain.WatchNoSpace(context.Background()); err != nil {
		t.Fatalf("the daemon's NOSPACE job: %v", err)
	}
	assertWritable(t, c)
}

// TestMaintainRefusesAMemberDown: with a member down, maintain refuses, exits 1 and takes no backup.
func TestMaintainRefusesAMemberDown(t *testing.T) {
	e, cl := clusterEnv(t)
	cl.Members[2].Stop()
	out, stderr, code := e.run("maintain", "--all")
	if code != 1 || !strings.Contains(out, "refused") || len(e.listIDs()) != 0 {
		t.Fatalf("maintain: exit %d\n%s\n%s", code, out, stderr)
	}
}

func assertWritable(t *testing.T, c *clientv3.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, "/after", "ok"); err != nil {
		t.Fatalf("write after remediation: %v", err)
	}
	resp, err := c.AlarmList(ctx)
	if err != nil || len(resp.Alarms) != 0 {
		t.Fatalf("alarms %v, %v", resp, err)
	}
}

func (e *env) listIDs() []string {
	e.t.Helper()
	out, stderr, code := e.run("list", "-w", "json")
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 {
		e.t.Fatalf("list: exit %d, %v: %s", code, err, stderr)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}
