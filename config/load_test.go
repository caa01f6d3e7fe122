package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestLoadForCheck: an etcd certificate out of its validity is a config error for Load, which
// run and run-once use, and not for LoadForCheck, since check reports it as a finding; every
// other problem stays an error for both.
func TestLoadForCheck(t *testing.T) {
	f := needFixture(t)
	now, dir := time.Now(), t.TempDir()
	expired := writeCert(t, dir, "expired", now.Add(-48*time.Hour), now.Add(-time.Hour))
	tests := []struct {
		name      string
		set       map[string]any
		want      string // the error of Load
		checkFail bool   // LoadForCheck fails too
	}{
		{"client certificate expired", map[string]any{"etcd.cert": expired}, `etcd.cert: ` + expired + `: certificate "expired" expired on`, false},
		{"CA bundle expired", map[string]any{"etcd.cacert": expired}, `etcd.cacert: ` + expired + `: certificate "expired" expired on`, false},
		{"destination CA expired", map[string]any{"destinations": []any{map[string]any{"url": "s3://b/p", "ca_file": expired}}},
			"destinations[0].ca_file: " + expired, true},
		{"client certificate not a certificate", map[string]any{"etcd.cert": f.pub}, "etcd.cert: " + f.pub + ": no PEM certificate", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := baseMap(f)
			for k, v := range tc.set {
				setPath(m, k, v)
			}
			data, err := yaml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tc.want)
			}
			c, err := LoadForCheck(path)
			if tc.checkFail && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("LoadForCheck = %v, want an error containing %q", err, tc.want)
			}
			if !tc.checkFail && (err != nil || c == nil) {
				t.Fatalf("LoadForCheck = %v, %v; want the config", c, err)
			}
		})
	}
}
