package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/daemon"
)

// TestDaemonConfig: the config turns into every job's options in one place.
func TestDaemonConfig(t *testing.T) {
	f := needFixture(t)
	c, err := parseWith(t, f, map[string]any{
		"schedule.backup": "CRON_TZ=Europe/Paris 0 * * * *", "schedule.verify": "@daily",
		"ha.enabled": true, "ha.prefix": "/eb/", "http.listen": "127.0.0.1:9999",
		"retention.keep_last": 3, "spool_dir": filepath.Join(f.dir, "spool"),
		"encryption.passphrase_file": f.passphrase,
	})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := c.DaemonConfig()
	if err != nil {
		t.Fatal(err)
	}
	b := dc.Backup
	switch {
	case dc.Cluster != "prod-eu1" || b.Cluster != "prod-eu1" || b.SpoolDir != c.SpoolDir || b.Recipients == nil:
		t.Fatalf("backup options %+v", b)
	case b.SnapshotTimeout != c.Etcd.SnapshotTimeout.D() || b.ToolVersion == "":
		t.Fatalf("backup timeout %v, version %q", b.SnapshotTimeout, b.ToolVersion)
	case dc.Retention == nil || dc.Retention.Policy.KeepLast != 3 || dc.Retention.Policy.Location.String() != "Europe/Paris":
		t.Fatalf("retention %+v", dc.Retention)
	case dc.BackupSchedule == nil || dc.DrillSchedule == nil || dc.Listen != "127.0.0.1:9999":
		t.Fatalf("schedules %v %v, listen %q", dc.BackupSchedule, dc.DrillSchedule, dc.Listen)
	case dc.Drill.Identity == nil || dc.Drill.ScratchDir != filepath.Join(c.SpoolDir, "drill"):
		t.Fatalf("drill options %+v", dc.Drill)
	case dc.HA == nil || *dc.HA != (daemon.HA{Prefix: "/eb/", TTL: c.HA.TTL.D()}):
		t.Fatalf("HA %+v", dc.HA)
	}
	next := dc.BackupSchedule.Next(time.Date(2026, 6, 1, 10, 30, 0, 0, time.UTC))
	if want := time.Date(2026, 6, 1, 11, 0, 0, 0, time.UTC); !next.Equal(want) { // Paris is UTC+2 in June
		t.Fatalf("next backup %v, want %v", next, want)
	}
	// run-once needs no private key and never loads one.
	c.Encryption.PrivateKey = filepath.Join(f.dir, "missing.asc")
	if jc, err := c.BackupJobConfig(); err != nil || jc.DrillSchedule != nil || jc.HA != nil {
		t.Fatalf("BackupJobConfig = %+v, %v", jc, err)
	}
	if _, err := c.DaemonConfig(); err == nil || !IsConfigError(err) {
		t.Fatalf("DaemonConfig with a missing private key: %v, want a config error", err)
	}
}

// TestConfigErrors: whatever the operator fixes in the config or in a file it names is a config
// error (exit 2), and names the field.
func TestConfigErrors(t *testing.T) {
	f := needFixture(t)
	garbage := filepath.Join(f.dir, "garbage.asc")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		call  func(c *Config) error
		field string
	}{
		{"bad recipient key material", func(c *Config) error {
			c.Encryption.Recipients = []string{garbage}
			_, err := c.BackupOptions()
			return err
		}, "encryption.recipients"},
		{"bad private key material", func(c *Config) error {
			c.Encryption.PrivateKey = garbage
			_, err := c.Identity()
			return err
		}, "encryption.private_key"},
		{"no private key for an encrypted backup", func(c *Config) error {
			c.Encryption.PrivateKey = ""
			_, err := c.IdentityFor(&catalog.Manifest{ID: "x", Object: catalog.ObjectInfo{Encryption: catalog.EncryptionPGP}})
			return err
		}, "encryption.private_key"},
		{"password file gone", func(c *Config) error {
			c.Etcd.PasswordFile = filepath.Join(f.dir, "gone")
			_, err := c.ClusterOptions()
			return err
		}, "etcd.password_file"},
		{"etcd key that is no key", func(c *Config) error {
			c.Etcd.Key = garbage
			_, err := c.OpenEtcd(nil)
			return err
		}, "etcd client certificate"},
		{"a schedule that never fires", func(c *Config) error {
			c.Schedule.Verify = "0 0 30 2 *"
			_, err := c.CheckOptions("config.yaml", check.DefaultThresholds())
			return err
		}, "schedule.verify"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseWith(t, f, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(c)
			if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v (config error: %v), want a config error naming %s", err, IsConfigError(err), tc.field)
			}
		})
	}
	c, err := parseWith(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := c.CheckOptions("config.yaml", check.DefaultThresholds()); err != nil || o.ScratchDir != c.Verify.ScratchDir ||
		o.Cluster != c.ClusterName || !filepath.IsAbs(o.ConfigPath) || o.Access.Cert != c.Etcd.Cert ||
		o.MaintainRule != c.MaintainRule() || o.NoSpaceRemediation {
		t.Fatalf("CheckOptions = %+v, %v", o, err)
	}
	if IsConfigError(errors.New("upload: connection refused")) {
		t.Fatal("an operation error counts as a config error")
	}
}
