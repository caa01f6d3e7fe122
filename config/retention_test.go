package config

import (
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/retention"
)

func TestRetentionPolicy(t *testing.T) {
	f := needFixture(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		set  map[string]any
		want retention.Policy
	}{
		{"no section", nil, retention.Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30, Location: time.UTC}},
		{"null section", map[string]any{"retention": nil}, retention.Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30, Location: time.UTC}},
		{"keep_last only", map[string]any{"retention": map[string]any{"keep_last": 4}}, retention.Policy{KeepLast: 4, Location: time.UTC}},
		{"keep_within only", map[string]any{"retention": map[string]any{"keep_within": "36h"}}, retention.Policy{KeepWithin: 36 * time.Hour, Location: time.UTC}},
		{"zone of the backup schedule", map[string]any{"schedule.backup": "CRON_TZ=Europe/Paris 0 * * * *", "retention.keep_daily": 7},
			retention.Policy{KeepDaily: 7, Location: paris}},
		{"default in a zone", map[string]any{"schedule.backup": "TZ=Europe/Paris @daily"},
			retention.Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30, Location: paris}},
		{"enabled false alone keeps the default", map[string]any{"retention": map[string]any{"enabled": false}},
			retention.Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30, Location: time.UTC}},
		{"enabled true alone keeps the default", map[string]any{"retention": map[string]any{"enabled": true}},
			retention.Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30, Location: time.UTC}},
		{"enabled false with a rule", map[string]any{"retention": map[string]any{"enabled": false, "keep_last": 2}},
			retention.Policy{KeepLast: 2, Location: time.UTC}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseWith(t, f, tc.set)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := c.RetentionPolicy()
			if err != nil {
				t.Fatalf("RetentionPolicy: %v", err)
			}
			if got.Location.String() != tc.want.Location.String() {
				t.Fatalf("Location = %s, want %s", got.Location, tc.want.Location)
			}
			got.Location, tc.want.Location = nil, nil
			if got != tc.want {
				t.Fatalf("RetentionPolicy = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRetentionSectionKeepsZeros(t *testing.T) {
	f := needFixture(t)
	c, err := parseWith(t, f, map[string]any{"retention": map[string]any{"keep_last": 4}})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := (Retention{KeepLast: 4}); c.Retention == nil || *c.Retention != want {
		t.Fatalf("retention = %+v, want %+v", c.Retention, want)
	}
}

// TestRetentionEnabled: retention.enabled: false takes retention out of run and run-once (nothing
// they run deletes), and leaves prune's policy as it is, for a host whose credentials may delete.
func TestRetentionEnabled(t *testing.T) {
	f := needFixture(t)
	cases := []struct {
		name string
		set  map[string]any
		on   bool
		keep int // the policy's keep_last; 0 for the default policy
	}{
		{"no section", nil, true, 0},
		{"enabled true", map[string]any{"retention": map[string]any{"enabled": true, "keep_last": 3}}, true, 3},
		{"enabled false alone", map[string]any{"retention": map[string]any{"enabled": false}}, false, 0},
		{"enabled false with rules", map[string]any{"retention": map[string]any{"enabled": false, "keep_last": 3}}, false, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseWith(t, f, tc.set)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.RetentionEnabled(); got != tc.on {
				t.Fatalf("RetentionEnabled = %v, want %v", got, tc.on)
			}
			for name, cfg := range map[string]func() (daemon.Config, error){
				"BackupJobConfig": c.BackupJobConfig, "DaemonConfig": c.DaemonConfig, "MaintainConfig": c.MaintainConfig,
			} {
				dc, err := cfg()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if (dc.Retention != nil) != tc.on {
					t.Fatalf("%s: retention after a backup %+v, want it only when enabled", name, dc.Retention)
				}
			}
			po, err := c.PruneOptions(false)
			if err != nil {
				t.Fatalf("PruneOptions: %v", err)
			}
			want := retention.DefaultPolicy()
			if tc.keep > 0 {
				want = retention.Policy{KeepLast: tc.keep}
			}
			po.Policy.Location, want.Location = nil, nil
			if po.Policy != want {
				t.Fatalf("prune's policy %+v, want %+v whatever retention.enabled says", po.Policy, want)
			}
		})
	}
}
