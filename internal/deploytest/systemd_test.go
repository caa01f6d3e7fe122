package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// installedBinary is where make install puts the binary and where the units run it from.
const installedBinary = "/usr/local/bin/etcd-backupd"

// daemonGrace is how long the daemon lets a running backup go on after a stop (daemon.Options.GracePeriod).
const daemonGrace = 2 * time.Minute

// units names every unit file and the unit name systemd-analyze verifies it as.
var units = []struct{ file, verifyAs string }{
	{"etcd-backupd.service", "etcd-backupd.service"},
	{"etcd-backupd-once.service", "etcd-backupd-once.service"},
	{"etcd-backupd-once.timer", "etcd-backupd-once.timer"},
	{"etcd-backupd@.service", "etcd-backupd@prod-eu1.service"},
	{"etcd-backupd-prune.service", "etcd-backupd-prune.service"},
	{"etcd-backupd-prune.timer", "etcd-backupd-prune.timer"},
}

// stageUnits copies the units into a temp dir with ExecStart pointing at an executable that exists.
func stageUnits(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, u := range units {
		data := strings.ReplaceAll(string(ReadRepoFile(t, "systemd/"+u.file)), installedBinary, exe)
		if err := os.WriteFile(filepath.Join(dir, u.file), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSystemdAnalyzeVerify(t *testing.T) {
	tool := testgate.Require(t, "systemd-analyze")
	dir := stageUnits(t)
	for _, u := range units {
		t.Run(u.verifyAs, func(t *testing.T) {
			cmd := exec.Command(tool, "verify", "--man=no", filepath.Join(dir, u.verifyAs))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("systemd-analyze verify %s: %v\n%s", u.verifyAs, err, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, dir) || strings.Contains(line, "etcd-backupd") {
					t.Fatalf("systemd-analyze verify %s warns: %s", u.verifyAs, line)
				}
			}
		})
	}
}

// TestSystemdSecurity keeps every service's exposure score (0 best, 10 worst) at 2.0 or below.
func TestSystemdSecurity(t *testing.T) {
	tool := testgate.Require(t, "systemd-analyze")
	dir := stageUnits(t)
	for _, u := range units {
		if !strings.HasSuffix(u.file, ".service") {
			continue
		}
		t.Run(u.verifyAs, func(t *testing.T) {
			cmd := exec.Command(tool, "security", "--offline=true", "--threshold=20", "--no-pager", filepath.Join(dir, u.verifyAs))
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("systemd-analyze security %s: %v\n%s", u.verifyAs, err, lastLines(string(out), 15))
			}
		})
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func loadUnit(t *testing.T, file string) Unit {
	t.Helper()
	u, err := ParseUnit(ReadRepoFile(t, "systemd/"+file))
	if err != nil {
		t.Fatalf("parse systemd/%s: %v", file, err)
	}
	return u
}

func TestUnitSettings(t *testing.T) {
	spool, drill := config.DefaultSpoolDir, filepath.Join(config.DefaultSpoolDir, "drill")
	tests := []struct {
		file, section, key, want string
	}{
		{"etcd-backupd.service", "Service", "Type", "notify"},
		{"etcd-backupd.service", "Service", "WatchdogSec", "60s"},
		{"etcd-backupd.service", "Service", "ExecStart", installedBinary + " --config " + config.DefaultPath + " run"},
		{"etcd-backupd.service", "Service", "EnvironmentFile", "-/etc/etcd-backupd/env"},
		{"etcd-backupd.service", "Service", "Restart", "on-failure"},
		{"etcd-backupd.service", "Service", "ReadWritePaths", spool + " -" + drill},
		{"etcd-backupd.service", "Service", "StateDirectory", filepath.Base(spool)},
		{"etcd-backupd-once.service", "Service", "Type", "oneshot"},
		{"etcd-backupd-once.service", "Service", "ExecStart", installedBinary + " --config " + config.DefaultPath + " run-once"},
		{"etcd-backupd-once.service", "Service", "ReadWritePaths", spool},
		{"etcd-backupd-once.timer", "Timer", "Unit", "etcd-backupd-once.service"},
		{"etcd-backupd-once.timer", "Timer", "Persistent", "true"},
		{"etcd-backupd-once.timer", "Install", "WantedBy", "timers.target"},
		{"etcd-backupd@.service", "Service", "Type", "notify"},
		{"etcd-backupd@.service", "Service", "ExecStart", installedBinary + " --config /etc/etcd-backupd/%i.yaml run"},
		{"etcd-backupd@.service", "Service", "EnvironmentFile", "-/etc/etcd-backupd/%i.env"},
		{"etcd-backupd@.service", "Service", "StateDirectory", "etcd-backupd/%i"},
		{"etcd-backupd@.service", "Service", "ReadWritePaths", spool + "/%i -" + spool + "/%i/drill"},
		{"etcd-backupd-prune.service", "Service", "Type", "oneshot"},
		{"etcd-backupd-prune.service", "Service", "ExecStart", installedBinary + " --config /etc/etcd-backupd/prune.yaml prune"},
		{"etcd-backupd-prune.service", "Service", "EnvironmentFile", "-/etc/etcd-backupd/prune.env"},
		{"etcd-backupd-prune.service", "Service", "ReadWritePaths", spool},
		{"etcd-backupd-prune.timer", "Timer", "Unit", "etcd-backupd-prune.service"},
		{"etcd-backupd-prune.timer", "Timer", "Persistent", "true"},
		{"etcd-backupd-prune.timer", "Install", "WantedBy", "timers.target"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.key, func(t *testing.T) {
			got, ok := loadUnit(t, tc.file).Get(tc.section, tc.key)
			if !ok || got != tc.want {
				t.Fatalf("[%s] %s = %q (set %v), want %q", tc.section, tc.key, got, ok, tc.want)
			}
		})
	}
}
