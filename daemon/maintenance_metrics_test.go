package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/maintain"
)

// TestRecordMaintenanceResults: each error a run returns is counted under its result, and only a
// success moves the last success time.
func TestRecordMaintenanceResults(t *testing.T) {
	notWon := &maintain.NoSpaceError{Over: []string{"m0: db 95 MiB is 95% of its 100 MiB quota (want below 80%)"}}
	cases := []struct {
		name, kind, result string
		err                error
	}{
		{"success", "defragment", "success", nil},
		{"refused", "defragment", "refused", &maintain.RefusedError{Reasons: []string{"member m1 does not answer"}}},
		{"not won back", "nospace", "not_won", fmt.Errorf("remediate: %w", notWon)},
		{"failure", "defragment", "failure", errors.New("defragment m1: member did not come back")},
		{"nospace success", "nospace", "success", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMetrics("c1")
			before := float64(time.Now().Unix())
			m.RecordMaintenance(tc.kind, &maintain.Report{Kind: tc.kind}, tc.err)
			for _, k := range []string{"defragment", "nospace"} {
				for _, r := range []string{"success", "refused", "not_won", "failure"} {
					want := 0.0
					if k == tc.kind && r == tc.result {
						want = 1
					}
					if got := testutil.ToFloat64(m.maintenance.runs.WithLabelValues(k, r)); got != want {
						t.Errorf("maintenance_total{kind=%q,result=%q} = %v, want %v", k, r, got, want)
					}
				}
			}
			last := testutil.CollectAndCount(m.maintenance.lastSuccess)
			if tc.err != nil {
				if last != 0 {
					t.Fatalf("a %s run set the last success time", tc.result)
				}
				return
			}
			if got := testutil.ToFloat64(m.maintenance.lastSuccess.WithLabelValues(tc.kind)); got < before {
				t.Fatalf("last success %v, want at least %v", got, before)
			}
		})
	}
}

// TestRecordMaintenanceNothing: a dry run and a NOSPACE run without an alarm changed nothing, and
// record nothing; the series the alerts read exist at 0 from the start.
func TestRecordMaintenanceNothing(t *testing.T) {
	m := NewMetrics("c1")
	m.RecordMaintenance("defragment", &maintain.Report{Kind: "defragment", DryRun: true,
		Members: []maintain.MemberReport{{Name: "m0", Planned: true}}}, nil)
	m.RecordMaintenance("nospace", &maintain.Report{Kind: "nospace"}, fmt.Errorf("watch: %w", maintain.ErrNoAlarm))
	m.RecordMaintenance("nospace", nil, maintain.ErrNoAlarm)
	want := `
# HELP etcd_backupd_maintenance_total Maintenance runs by kind (defragment, nospace) and result (success, refused, not_won, failure).
# TYPE etcd_backupd_maintenance_total counter
etcd_backupd_maintenance_total{cluster="c1",kind="defragment",result="failure"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="defragment",result="refused"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="defragment",result="success"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="nospace",result="failure"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="nospace",result="not_won"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="nospace",result="refused"} 0
etcd_backupd_maintenance_total{cluster="c1",kind="nospace",result="success"} 0
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "etcd_backupd_maintenance_total",
		"etcd_backupd_maintenance_last_success_timestamp_seconds", "etcd_backupd_maintenance_reclaimed_bytes",
		"etcd_backupd_maintenance_unavailable_seconds"); err != nil {
		t.Fatal(err)
	}
}

// TestRecordMaintenanceMembers: reclaimed bytes stay from the last run that defragmented a member;
// unavailability is the last run's, named by member name or by endpoint when unnamed.
func TestRecordMaintenanceMembers(t *testing.T) {
	m := NewMetrics("c1")
	m.RecordMaintenance("defragment", &maintain.Report{Kind: "defragment", Members: []maintain.MemberReport{
		{Name: "m0", Endpoint: "https://10.0.0.1:2379", Defragmented: true, ReclaimedBytes: 300 << 20, UnavailableSeconds: 1.5},
		{Endpoint: "https://10.0.0.2:2379", Defragmented: true, ReclaimedBytes: 200 << 20, UnavailableSeconds: 0.5},
	}}, nil)
	// The next run stops at m0, which did not come back, and leaves the other member alone.
	m.RecordMaintenance("defragment", &maintain.Report{Kind: "defragment", Members: []maintain.MemberReport{
		{Name: "m0", Endpoint: "https://10.0.0.1:2379", UnavailableSeconds: 60, Error: "did not come back"},
		{Endpoint: "https://10.0.0.2:2379", Reason: "not due"},
	}}, errors.New("member m0 did not come back"))
	want := `
# HELP etcd_backupd_maintenance_reclaimed_bytes Bytes reclaimed on each member by the last run that defragmented it.
# TYPE etcd_backupd_maintenance_reclaimed_bytes gauge
etcd_backupd_maintenance_reclaimed_bytes{cluster="c1",member="https://10.0.0.2:2379"} 2.097152e+08
etcd_backupd_maintenance_reclaimed_bytes{cluster="c1",member="m0"} 3.145728e+08
# HELP etcd_backupd_maintenance_unavailable_seconds How long each member was unavailable during the last maintenance run.
# TYPE etcd_backupd_maintenance_unavailable_seconds gauge
etcd_backupd_maintenance_unavailable_seconds{cluster="c1",member="https://10.0.0.2:2379"} 0
etcd_backupd_maintenance_unavailable_seconds{cluster="c1",member="m0"} 60
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "etcd_backupd_maintenance_reclaimed_bytes",
		"etcd_backupd_maintenance_unavailable_seconds"); err != nil {
		t.Fatal(err)
	}
}

// TestRecordMaintenanceRealRuns records what maintain returns on a real one-member etcd: a refusal
// (one member cannot keep a quorum), a dry run, no NOSPACE alarm, then a real defragmentation.
func TestRecordMaintenanceRealRuns(t *testing.T) {
	em := etcdtest.Start(t, etcdtest.Options{Name: "solo"})
	kv := em.Client(t)
	etcdtest.Fill(t, kv, 500, 8192, 1)
	if _, err := kv.Delete(context.Background(), "", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	c, err := cluster.New(cluster.Options{Endpoints: []string{em.Endpoint}, DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	m := NewMetrics("c1")
	o := maintain.Options{All: true, NoBackup: true, Compact: true}
	runs := func(kind, result string) float64 {
		return testutil.ToFloat64(m.maintenance.runs.WithLabelValues(kind, result))
	}

	rep, err := maintain.Run(ctx, c, o)
	m.RecordMaintenance("defragment", rep, err)
	if runs("defragment", "refused") != 1 {
		t.Fatalf("a refused run (%v) is not counted as refused", err)
	}

	o.AllowUnavailable = true
	dry := o
	dry.DryRun = true
	rep, err = maintain.Run(ctx, c, dry)
	m.RecordMaintenance("defragment", rep, err)
	rep, err = maintain.RemediateNoSpace(ctx, c, o)
	m.RecordMaintenance("nospace", rep, err)
	if !errors.Is(err, maintain.ErrNoAlarm) {
		t.Fatalf("RemediateNoSpace without an alarm: %v", err)
	}
	if n := testutil.CollectAndCount(m.maintenance.runs); n != 7 {
		t.Fatalf("%d maintenance_total series after a dry run and no alarm, want the 7 created at the start", n)
	}
	if runs("defragment", "refused") != 1 || runs("defragment", "success") != 0 || runs("nospace", "success") != 0 {
		t.Fatal("a dry run or a run without an alarm was counted")
	}

	rep, err = maintain.Run(ctx, c, o)
	if err != nil {
		t.Fatal(err)
	}
	m.RecordMaintenance("defragment", rep, err)
	if runs("defragment", "success") != 1 {
		t.Fatal("the defragmentation is not counted as a success")
	}
	got := testutil.ToFloat64(m.maintenance.reclaimed.WithLabelValues("solo"))
	if got <= 0 || got != float64(rep.ReclaimedBytes) {
		t.Fatalf("reclaimed_bytes{member=solo} = %v, want the report's %d, above 0", got, rep.ReclaimedBytes)
	}
	if got := testutil.ToFloat64(m.maintenance.unavailable.WithLabelValues("solo")); got != rep.MaxUnavailable {
		t.Fatalf("unavailable_seconds{member=solo} = %v, want %v", got, rep.MaxUnavailable)
	}
}
