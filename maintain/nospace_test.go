package maintain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

const smallQuota = 16 << 20

// TestRemediateNoSpace raises NOSPACE for real on a 3-member cluster by rewriting one key, and
// checks that the remediation takes its backup first, under the alarm and before any change, then
// brings the cluster back to accepting writes with the alarm disarmed.
func TestRemediateNoSpace(t *testing.T) {
	cl := etcdtest.StartCluster(t, 3, fmt.Sprintf("--quota-backend-bytes=%d", smallQuota))
	cli := cl.Client(t)
	etcdtest.FillUntilNoSpace(t, cli)
	c := newClient(t, cl.PKI, cl.Endpoints()...)
	ctx := testCtx(t)

	var backupAt time.Time
	o := testOptions(t)
	o.BackupFirst = func(ctx context.Context) error {
		backupAt = time.Now()
		if h := c.Health(ctx, cluster.HealthOptions{}); len(alarmed(h)) == 0 {
			return errors.New("no NOSPACE alarm at backup time")
		}
		if _, err := cli.Get(ctx, "/fill", clientv3.WithRev(2)); err != nil {
			return fmt.Errorf("compacted before the backup: %w", err)
		}
		return snapshot(ctx, c)
	}
	rep, err := RemediateNoSpace(ctx, c, o)
	if err != nil {
		t.Fatalf("remediate: %v", err)
	}
	if !rep.BackupTaken || rep.CompactedRevision == 0 || rep.NoSpace == nil || !rep.NoSpace.Disarmed ||
		len(rep.NoSpace.Alarmed) == 0 || len(rep.Members) != 3 {
		t.Fatalf("report %+v, nospace %+v", rep, rep.NoSpace)
	}
	for _, m := range rep.Members {
		if !m.Defragmented || m.DefragStartedAt.Before(backupAt) || m.DBSizeAfter >= smallQuota*8/10 || m.LedAtDefragment {
			t.Fatalf("member %+v, backup at %v", m, backupAt)
		}
		t.Logf("%s: db %d -> %d bytes, unavailable %.3fs", m.Name, m.DBSizeBefore, m.DBSizeAfter, m.UnavailableSeconds)
	}
	if _, err := cli.Put(ctx, "/after", "x"); err != nil {
		t.Fatalf("put after remediation: %v", err)
	}
	if al, err := cli.AlarmList(ctx); err != nil || len(al.Alarms) != 0 {
		t.Fatalf("alarms after remediation: %v, %v", al, err)
	}
	if _, err := RemediateNoSpace(ctx, c, o); !errors.Is(err, ErrNoAlarm) {
		t.Fatalf("remediate without an alarm: %v", err)
	}
}

// snapshot reads a whole snapshot from the first member backups would use, as a backup hook does.
func snapshot(ctx context.Context, c *cluster.Client) error {
	ms, err := c.Members(ctx)
	if err != nil {
		return err
	}
	cands := cluster.Candidates(ms, "follower")
	if len(cands) == 0 {
		return cluster.Unhealthy(ms)
	}
	s, err := c.Snapshot(ctx, cands[0])
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = io.Copy(io.Discard, s)
	return err
}

// TestRemediateNoSpaceNotWon fills a member's quota with live keys: compaction and
// defragmentation cannot win the space back, so the alarm stays armed and the error says what to
// do, with the prefix that grew.
func TestRemediateNoSpaceNotWon(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki, Name: "full", QuotaBackendBytes: smallQuota})
	cli := m.Client(t)
	ctx := testCtx(t)
	put(t, cli, "/registry/events/ns/e-%04d", 500, 100)
	for i := 0; ; i++ {
		_, err := cli.Put(ctx, fmt.Sprintf("/registry/configmaps/ns/cm-%04d", i), strings.Repeat("c", 64<<10))
		if err != nil {
			if !strings.Contains(err.Error(), "space exceeded") {
				t.Fatal(err)
			}
			break
		}
	}
	c := newClient(t, pki, m.Endpoint)
	o := testOptions(t)
	o.NoBackup, o.Prefixes = true, 1

	o.AllowUnavailable = false
	if _, err := RemediateNoSpace(ctx, c, o); err == nil || !strings.Contains(err.Error(), "allow it explicitly") {
		t.Fatalf("single member without AllowUnavailable: %v", err)
	}
	o.AllowUnavailable = true
	rep, err := RemediateNoSpace(ctx, c, o)
	var ns *NoSpaceError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "raise --quota-backend-bytes") ||
		!strings.Contains(err.Error(), "/registry/configmaps") {
		t.Fatalf("remediate a member full of live keys: %v", err)
	}
	t.Logf("error: %v", err)
	p := rep.NoSpace.LargestPrefixes
	if len(p) != 2 || p[0].Prefix != "/registry/configmaps" || p[1].Prefix != "/registry/events" || p[1].Keys != 500 {
		t.Fatalf("largest prefixes %+v, want configmaps by size, events by count", p)
	}
	if rep.NoSpace.Disarmed || !rep.Members[0].Defragmented {
		t.Fatalf("report %+v", rep.NoSpace)
	}
	if al, err := cli.AlarmList(ctx); err != nil || len(al.Alarms) != 1 {
		t.Fatalf("alarms: %v, %v; want NOSPACE still armed", al, err)
	}
}

// put writes n keys named by format with values of size bytes, in transactions.
func put(t *testing.T, cli *clientv3.Client, format string, n, size int) {
	t.Helper()
	ctx := testCtx(t)
	for i := 0; i < n; i += 64 {
		var ops []clientv3.Op
		for j := i; j < min(i+64, n); j++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf(format, j), strings.Repeat("x", size)))
		}
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
}
