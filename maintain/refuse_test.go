package maintain

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

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

	down.Start(t)
	cl.WaitReady(t)
	stopsAtFirstFailure(t, cl, func() { before = statuses(t, cli, cl.Endpoints()) }, unchanged)
}

// stopsAtFirstFailure kills the first member of the plan, once as its defragmentation starts and
// once as it ends: either way the run stops with an error naming it and leaves the members after
// it untouched.
func stopsAtFirstFailure(t *testing.T, cl *etcdtest.Cluster, reset func(), unchanged func(string, []string)) {
	c := newClient(t, cl.PKI, cl.Endpoints()...)
	for _, tc := range []struct {
		name, want string
		atStart    bool
	}{
		{"killed as its defragmentation ends", "did not answer for 3s after its defragmentation", false},
		{"killed as its defragmentation starts", "connection refused", true},
	} {
		o := testOptions(t)
		o.NoBackup, o.DefragTimeout, o.RecoverTimeout = true, 3*time.Second, 3*time.Second
		o.DryRun = true
		plan, err := Run(testCtx(t), c, o)
		if err != nil {
			t.Fatal(err)
		}
		victim, rest := split(cl, plan.Members[0].Endpoint)
		reset()
		kill := func(string) { victim.Kill() }
		o.DryRun = false
		if tc.atStart {
			o.Logger = o.Logger.WithOptions(zap.Hooks(func(e zapcore.Entry) error {
				if e.Message == "defragmenting" {
					kill("")
				}
				return nil
			}))
		} else {
			o.afterDefrag = kill
		}
		rep, err := Run(testCtx(t), c, o)
		if err == nil || !strings.Contains(err.Error(), victim.Endpoint) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s %s: %v", victim.Name, tc.name, err)
		}
		t.Logf("%s: %v", tc.name, err)
		for i, m := range rep.Members {
			if m.Defragmented || (i == 0) != (m.Error != "") {
				t.Fatalf("%s, member %d: %+v", tc.name, i, m)
			}
		}
		unchanged("a run stopped at its first member", rest)
		victim.Start(t)
		cl.WaitReady(t)
	}
}

// split returns the member at endpoint and the others' endpoints.
func split(cl *etcdtest.Cluster, endpoint string) (*etcdtest.Proc, []string) {
	var victim *etcdtest.Proc
	var rest []string
	for _, p := range cl.Members {
		if p.Endpoint == endpoint {
			victim = p
		} else {
			rest = append(rest, p.Endpoint)
		}
	}
	return victim, rest
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
