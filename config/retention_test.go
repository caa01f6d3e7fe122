package config

import (
	"testing"
	"time"

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
