package config

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/maintain"
)

func TestMaintenance(t *testing.T) {
	f := needFixture(t)
	c, err := parseWith(t, f, map[string]any{
		"maintenance.fragmented_percent": 30, "maintenance.fragmented_bytes": "1GiB", "maintenance.quota_percent": 0,
		"maintenance.backup_first": false, "maintenance.compact": true, "maintenance.keep_revisions": 500,
		"maintenance.nospace": "remediate", "maintenance.defrag_timeout": "10m", "schedule.maintain": "0 3 * * 0",
	})
	if err != nil {
		t.Fatal(err)
	}
	o := c.MaintainOptions()
	want := maintain.Rule{FragmentedFraction: 0.3, FragmentedBytes: 1 << 30, QuotaUsage: 0}
	if o.Rule != want || !o.NoBackup || !o.Compact || o.KeepRevisions != 500 || o.DefragTimeout != 10*time.Minute ||
		o.RecoverTimeout != time.Minute {
		t.Fatalf("MaintainOptions = %+v", o)
	}
	dc, err := c.DaemonConfig()
	if err != nil || dc.MaintainSchedule == nil || !dc.RemediateNoSpace || dc.Maintain.KeepRevisions != 500 {
		t.Fatalf("DaemonConfig: %+v, %v", dc, err)
	}
	c.HA.Enabled = true
	if mc, err := c.MaintainConfig(); err != nil || mc.HA != nil || mc.MaintainSchedule != nil || mc.RemediateNoSpace ||
		mc.Retention == nil || mc.Maintain.KeepRevisions != 500 {
		t.Fatalf("MaintainConfig: %+v, %v; want no election, no schedule, retention kept", mc, err)
	}
	if d, err := parseWith(t, f, nil); err != nil || d.MaintainRule() != maintain.DefaultRule() {
		t.Fatalf("the default rule is %+v (%v), want maintain's", d.MaintainRule(), err)
	}
	for msg, set := range map[string]map[string]any{
		"maintenance.fragmented_percent: 0: want 1 to 100": {"maintenance.fragmented_percent": 0},
		"maintenance.quota_percent: 101":                   {"maintenance.quota_percent": 101},
		"maintenance.fragmented_bytes":                     {"maintenance.fragmented_bytes": "lots"},
		`maintenance.nospace: "fix"`:                       {"maintenance.nospace": "fix"},
		"maintenance.defrag_timeout: 0s: must be positive": {"maintenance.defrag_timeout": "0s"},
		"maintenance.keep_revisions: -1":                   {"maintenance.keep_revisions": -1},
		"schedule.maintain":                                {"schedule.maintain": "0 0 30 2 *"},
	} {
		if _, err := parseWith(t, f, set); err == nil || !strings.Contains(err.Error(), msg) {
			t.Fatalf("%v: %v, want an error with %q", set, err, msg)
		}
	}
}
