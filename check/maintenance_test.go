package check

import (
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/maintain"
)

// TestMaintenanceFindings: check says which members maintenance is due on, by the configured rule,
// and whether the daemon or the operator recovers NOSPACE.
func TestMaintenanceFindings(t *testing.T) {
	noSpaceOnM1 := func(h *cluster.Health) { h.Alarms = []cluster.Alarm{{MemberID: 0xa1, Type: cluster.AlarmNoSpace}} }
	cases := []struct {
		name    string
		change  func(h *cluster.Health)
		opts    Options
		subject string // "": no finding of that kind at all
		message string
		action  string
	}{
		{"default rule: fragmented member due", func(h *cluster.Health) {
			h.Members[2].Status.DbSize, h.Members[2].Status.DbSizeInUse = 400*mib, 100*mib
		}, Options{ConfigPath: "/etc/etcd-backupd/config.yaml"}, "member m2",
			"maintenance is due (300 MiB can be reclaimed): 75% fragmented (300 MiB free of 400 MiB): at least 45% and 100 MiB",
			"etcd-backupd --config /etc/etcd-backupd/config.yaml maintain (first etcd-backupd --config " +
				"/etc/etcd-backupd/config.yaml maintain --dry-run to see the plan"},
		{"default rule: 40% fragmented is not due", func(h *cluster.Health) {
			h.Members[2].Status.DbSize, h.Members[2].Status.DbSizeInUse = 400*mib, 240*mib
		}, Options{}, "", "", ""},
		{"configured rule: 40% fragmented is due", func(h *cluster.Health) {
			h.Members[2].Status.DbSize, h.Members[2].Status.DbSizeInUse = 400*mib, 240*mib
		}, Options{MaintainRule: maintain.Rule{FragmentedFraction: 0.3, FragmentedBytes: 50 * mib}}, "member m2",
			"40% fragmented (160 MiB free of 400 MiB): at least 30% and 50 MiB", "etcd-backupd maintain (first etcd-backupd maintain --dry-run"},
		{"configured rule: 300 MiB free is not enough", func(h *cluster.Health) {
			h.Members[2].Status.DbSize, h.Members[2].Status.DbSizeInUse = 400*mib, 100*mib
		}, Options{MaintainRule: maintain.Rule{FragmentedFraction: 0.5, FragmentedBytes: 500 * mib}}, "", "", ""},
		{"quota trigger", func(h *cluster.Health) {
			h.Members[0].Status.DbSize, h.Members[0].Status.DbSizeInUse = 85*mib, 80*mib
			quota(h, 100*mib)
		}, Options{}, "member m0", "db at 85% of the 100 MiB quota: at least 80%", "etcd-backupd maintain"},
		{"under NOSPACE maintain --nospace", func(h *cluster.Health) {
			noSpaceOnM1(h)
			h.Members[1].Status.DbSize, h.Members[1].Status.DbSizeInUse = 100*mib, 60*mib
			quota(h, 100*mib)
		}, Options{}, "member m1", "db at 100% of the 100 MiB quota", "etcd-backupd maintain --nospace"},
		{"NOSPACE, remediation off", noSpaceOnM1, Options{}, "alarm NOSPACE", "raised on m1 (a1)",
			"set maintenance.nospace: remediate, or run etcd-backupd maintain --nospace, or follow the NOSPACE runbook below"},
		{"NOSPACE, remediation on", noSpaceOnM1, Options{NoSpaceRemediation: true}, "alarm NOSPACE", "raised on m1 (a1)",
			"the elected daemon is recovering it (maintenance.nospace: remediate): watch its logs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := healthy()
			tc.change(h)
			tc.opts.Cluster, tc.opts.Thresholds = testCluster, DefaultThresholds()
			r := Evaluate(h, nil, tc.opts, testNow)
			var got []Finding
			for _, f := range r.Findings {
				if strings.Contains(f.Message, "maintenance is due") || f.Subject == "alarm NOSPACE" {
					got = append(got, f)
				}
			}
			if tc.subject == "" {
				if len(got) > 0 {
					t.Fatalf("want no maintenance finding, got:\n%s", dump(got))
				}
				return
			}
			for _, f := range got {
				if strings.HasPrefix(f.Subject, tc.subject) && f.Severity >= Warn &&
					strings.Contains(f.Message, tc.message) && strings.Contains(f.Action, tc.action) {
					return
				}
			}
			t.Fatalf("no finding %q with %q and action %q in:\n%s", tc.subject, tc.message, tc.action, dump(r.Findings))
		})
	}
}
