package maintain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestRun defragments a fragmented 3-member TLS cluster while a client writes: every member gives
// space back, the leader hands leadership over before its turn, and no write fails.
func TestRun(t *testing.T) {
	cl := etcdtest.StartCluster(t, 3)
	cli := cl.Client(t)
	// Run's compaction frees the old revisions: the plan is made again after it.
	fragment(t, cli, 4000, 4<<10, false)
	before := statuses(t, cli, cl.Endpoints())
	formerLeader := leaderOf(before)
	c := newClient(t, cl.PKI, cl.Endpoints()...)
	ctx := testCtx(t)

	const workers = 4
	w := startWriter(cli, workers)
	var backupAt time.Time
	o := testOptions(t)
	o.Compact, o.KeepRevisions = true, 50
	o.BackupFirst = func(context.Context) error { backupAt = time.Now(); return nil }
	rep, err := Run(ctx, c, o)
	ok, failed := w.halt()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	checkWrites(t, rep, ok, failed, workers)
	if !rep.BackupTaken || backupAt.IsZero() || rep.CompactedRevision == 0 {
		t.Fatalf("backup %v, compacted to %d", rep.BackupTaken, rep.CompactedRevision)
	}
	if _, err := cli.Get(ctx, "/writer/0/000", clientv3.WithRev(rep.CompactedRevision-1)); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatalf("read below the compacted revision %d: %v, want compacted", rep.CompactedRevision, err)
	}
	after := statuses(t, cli, cl.Endpoints())
	checkMembers(t, rep, before, after, formerLeader, backupAt)
	if leaderOf(after) == formerLeader || rep.LeaderMovedFrom == "" || rep.LeaderMovedTo == rep.LeaderMovedFrom {
		t.Fatalf("leader %x after, %x before; moved from %q to %q", leaderOf(after), formerLeader,
			rep.LeaderMovedFrom, rep.LeaderMovedTo)
	}
	js, _ := json.Marshal(rep)
	for _, k := range []string{`"unavailable_seconds":`, `"leader_moved_from":`, `"db_size_before":`, `"backup_taken":true`} {
		if !strings.Contains(string(js), k) {
			t.Fatalf("JSON report lacks %s: %s", k, js)
		}
	}
	for _, m := range rep.Members {
		t.Logf("%s leader=%v reclaimed %d of %d bytes, unavailable %.3fs", m.Name, m.WasLeader, m.ReclaimedBytes,
			m.DBSizeBefore, m.UnavailableSeconds)
	}
	t.Logf("run %.2fs, %d writes during it, %d failed at the leadership handover", rep.DurationSeconds, ok, len(failed))
}

// checkWrites allows only the failures of writes in flight while leadership moves: etcd drops
// their proposals (at once, or after its 7 s request timeout when a follower forwarded them). At
// most one per writer; a failure at any other time, as a lost quorum would give, fails the test.
func checkWrites(t *testing.T, rep *Report, ok int, failed []failedWrite, workers int) {
	t.Helper()
	if ok < 50 {
		t.Fatalf("only %d writes during the run", ok)
	}
	from := rep.LeaderMovedAt.Add(-time.Second)
	until := rep.Members[len(rep.Members)-1].DefragStartedAt
	for _, f := range failed {
		if f.start.Before(from) || f.start.After(until) || len(failed) > workers {
			t.Fatalf("%d of %d writes failed; leadership moved at %s, the former leader was defragmented at %s: %v",
				len(failed), ok+len(failed), rep.LeaderMovedAt.Format("15:04:05.000"),
				until.Format("15:04:05.000"), failed)
		}
		t.Logf("write in flight at the leadership handover failed: %v", f)
	}
}

// checkMembers asserts that every member was defragmented after the backup, one at a time, the
// former leader last and as a follower, and that each gave space back.
func checkMembers(t *testing.T, rep *Report, before, after map[string]*clientv3.StatusResponse,
	formerLeader uint64, backupAt time.Time) {
	t.Helper()
	if len(rep.Members) != 3 {
		t.Fatalf("report has %d members: %+v", len(rep.Members), rep.Members)
	}
	prevEnd := backupAt
	for i, m := range rep.Members {
		if !m.Planned || !m.Defragmented || m.Error != "" || m.LedAtDefragment {
			t.Fatalf("member %d: %+v", i, m)
		}
		if m.ReclaimedBytes <= 0 || after[m.Endpoint].DbSize >= before[m.Endpoint].DbSize {
			t.Fatalf("%s: reclaimed %d; db %d before, %d after", m.Name, m.ReclaimedBytes,
				before[m.Endpoint].DbSize, after[m.Endpoint].DbSize)
		}
		if m.DefragStartedAt.Before(prevEnd) || m.UnavailableSeconds <= 0 {
			t.Fatalf("%s: defragmented at %v, before the previous member was back at %v", m.Name,
				m.DefragStartedAt, prevEnd)
		}
		prevEnd = m.DefragStartedAt.Add(time.Duration(m.UnavailableSeconds * float64(time.Second)))
		isFormer := before[m.Endpoint].Header.MemberId == formerLeader
		if m.WasLeader != isFormer || isFormer != (i == 2) {
			t.Fatalf("member %d %s: was leader %v, former leader %v; want the former leader last", i, m.Name,
				m.WasLeader, isFormer)
		}
		if isFormer && (rep.LeaderMovedFrom != m.Name || after[m.Endpoint].Leader == formerLeader) {
			t.Fatalf("former leader %s: moved from %q", m.Name, rep.LeaderMovedFrom)
		}
	}
}
