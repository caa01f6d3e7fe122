package maintain

import (
	"context"
	"errors"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestRunChangesNothing fragments a 3-member TLS cluster and checks that a dry run, a run without
// a backup hook, a run whose backup fails and a run with a member down change nothing: no
// compaction, no defragmentation, no leader change.
func TestRunChangesNothing(t *testing.T) {
	cl := etcdtest.StartCluster(t, 3)
	cli := cl.Client(t)
	compacted := fragment(t, cli, 2000, 4<<10, true)
	ctx := testCtx(t)
	for range 10 { // revisions past the compaction, for a run's compaction to remove it
		if _, err := cli.Put(ctx, "/after", "x"); err != nil {
			t.Fatal(err)
		}
	}
	before := statuses(t, cli, cl.Endpoints())
	c := newClient(t, cl.PKI, cl.Endpoints()...)
	unchanged := func(what string, endpoints []string) {
		t.Helper()
		after := statuses(t, cli, endpoints)
		for _, ep := range endpoints {
			if after[ep].DbSize != before[ep].DbSize || after[ep].Leader != leaderOf(before) {
				t.Fatalf("%s changed %s: db %d -> %d, leader %x -> %x", what, ep, before[ep].DbSize,
					after[ep].DbSize, leaderOf(before), after[ep].Leader)
			}
		}
		if _, err := cli.Get(ctx, "/after", clientv3.WithRev(compacted)); err != nil {
			t.Fatalf("%s compacted past %d: %v", what, compacted, err)
		}
	}
	noHook := func(context.Context) error { t.Error("backup hook called"); return nil }

	o := testOptions(t)
	o.DryRun, o.Compact, o.BackupFirst = true, true, noHook
	rep, err := Run(ctx, c, o)
	if err != nil || !rep.DryRun || rep.BackupTaken {
		t.Fatalf("dry run: %v, %+v", err, rep)
	}
	for i, m := range rep.Members {
		if !m.Planned || !strings.Contains(m.Reason, "fragmented") || m.Defragmented || m.WasLeader != (i == 2) {
			t.Fatalf("dry run, member %d: %+v", i, m)
		}
	}
	unchanged("dry run", cl.Endpoints())

	o = testOptions(t)
	o.Compact = true
	if _, err = Run(ctx, c, o); err == nil || !strings.Contains(err.Error(), "no backup hook") {
		t.Fatalf("run without a backup hook: %v", err)
	}
	unchanged("run without a backup hook", cl.Endpoints())

	calls := 0
	o.BackupFirst = func(context.Context) error { calls++; return errors.New("disk full") }
	rep, err = Run(ctx, c, o)
	if err == nil || err.Error() != "backup before maintenance failed, nothing changed: disk full" ||
		calls != 1 || rep.BackupTaken || rep.Error != err.Error() {
		t.Fatalf("failed backup: %v after %d calls, report %+v", err, calls, rep)
	}
	unchanged("run with a failed backup", cl.Endpoints())

	down := followerOf(t, cl, before)
	down.Stop()
	o.BackupFirst = noHook
	rep, err = Run(ctx, c, o)
	var ref *RefusedError
	if !errors.As(err, &ref) || !strings.Contains(err.Error(), "member "+down.Name+" ("+down.Endpoint+") does not answer") ||
		len(rep.Refused) == 0 {
		t.Fatalf("run with %s down: %v", down.Name, err)
	}
	t.Logf("refused: %v", err)
	var up []string
	for _, ep := range cl.Endpoints() {
		if ep != down.Endpoint {
			up = append(up, ep)
		}
	}
	unchanged("run with a member down", up)
}

func followerOf(t *testing.T, cl *etcdtest.Cluster, sts map[string]*clientv3.StatusResponse) *etcdtest.Proc {
	for _, p := range cl.Members {
		if st := sts[p.Endpoint]; st.Leader != st.Header.MemberId {
			return p
		}
	}
	t.Fatal("no follower")
	return nil
}
