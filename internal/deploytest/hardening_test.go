package deploytest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// hardening is what every service sets, with the value it must have.
var hardening = map[string]string{
	"User":                    "etcd-backupd",
	"Group":                   "etcd-backupd",
	"SupplementaryGroups":     "etcd-certs",
	"UMask":                   "0077",
	"NoNewPrivileges":         "yes",
	"CapabilityBoundingSet":   "",
	"AmbientCapabilities":     "",
	"ProtectSystem":           "strict",
	"ProtectHome":             "yes",
	"PrivateTmp":              "yes",
	"PrivateDevices":          "yes",
	"ProtectKernelTunables":   "yes",
	"ProtectKernelModules":    "yes",
	"ProtectKernelLogs":       "yes",
	"ProtectControlGroups":    "yes",
	"ProtectClock":            "yes",
	"ProtectHostname":         "yes",
	"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
	"RestrictNamespaces":      "yes",
	"RestrictRealtime":        "yes",
	"RestrictSUIDSGID":        "yes",
	"LockPersonality":         "yes",
	"MemoryDenyWriteExecute":  "yes",
	"SystemCallArchitectures": "native",
}

var services = []string{"etcd-backupd.service", "etcd-backupd-once.service", "etcd-backupd@.service"}

func TestHardening(t *testing.T) {
	for _, file := range services {
		t.Run(file, func(t *testing.T) {
			u := loadUnit(t, file)
			for key, want := range hardening {
				if got, ok := u.Get("Service", key); !ok || got != want {
					t.Fatalf("%s = %q (set %v), want %q", key, got, ok, want)
				}
			}
			if f := u["Service"]["SystemCallFilter"]; !slices.Contains(f, "@system-service") {
				t.Fatalf("SystemCallFilter = %q, want @system-service among them", f)
			}
		})
	}
}

// TestStopTimeout: systemd must wait for the daemon's graceful stop before it kills it.
func TestStopTimeout(t *testing.T) {
	for _, file := range []string{"etcd-backupd.service", "etcd-backupd@.service"} {
		t.Run(file, func(t *testing.T) {
			u := loadUnit(t, file)
			v, _ := u.Get("Service", "TimeoutStopSec")
			d, err := time.ParseDuration(strings.TrimSuffix(v, "s") + "s")
			if err != nil {
				t.Fatalf("TimeoutStopSec = %q: %v", v, err)
			}
			if d <= daemonGrace {
				t.Fatalf("TimeoutStopSec = %s, want more than the daemon's grace period %s", d, daemonGrace)
			}
			if got, _ := u.Get("Service", "KillMode"); got != "mixed" {
				t.Fatalf("KillMode = %q, want mixed: SIGTERM to the daemon alone, then SIGKILL to all", got)
			}
		})
	}
}

func TestParseUnit(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string
	}{
		{"outside section", "Type=simple\n", "line 1"},
		{"no equals", "[Service]\nbogus\n", "line 2"},
		{"continuation", "[Service]\nExecStart=/bin/a \\\n  -b\n", "continuation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseUnit([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseUnit = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
	u, err := ParseUnit([]byte("[Service]\n# c\nA=1\nA=\nB = x y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := u["Service"]["A"]; !slices.Equal(got, []string{"1", ""}) {
		t.Fatalf("A = %q, want [1 \"\"]", got)
	}
	if got, _ := u.Get("Service", "B"); got != "x y" {
		t.Fatalf("B = %q, want %q", got, "x y")
	}
}
