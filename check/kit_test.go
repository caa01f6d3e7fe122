package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/kit"
)

func TestKitFindings(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	manifest := filepath.Join(t.TempDir(), "etcd.yaml")
	if err := os.WriteFile(manifest, []byte("apiVersion: v1\nkind: Pod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := &kit.Options{Paths: []string{manifest}}
	expired, _ := pki.Issue(t, "expired", -time.Hour, true, false)
	cases := []struct {
		name  string
		kit   *kit.Options
		dests []DestinationState
		want  Severity
		says  string
	}{
		{"off", nil, nil, OK, ""},
		{"collectable", good, []DestinationState{{URL: "file:///a", Newest: "x", NewestKit: true}}, OK, "files collectable"},
		{"missing path", &kit.Options{Paths: []string{filepath.Join(t.TempDir(), "gone")}}, nil, Warn, "cannot be collected"},
		{"newest without kit", good, []DestinationState{{URL: "file:///a", Newest: "x"}}, Warn, "the newest backup x has no restore kit"},
		{"expired certificate", &kit.Options{Paths: []string{pki.CACert, expired}}, nil, Critical, "expired.crt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := kitFindings(Options{Kit: c.kit}, c.dests, time.Now())
			if c.kit == nil {
				if len(fs) != 0 {
					t.Fatalf("kit off: %v", fs)
				}
				return
			}
			joined := ""
			for _, f := range fs {
				joined += f.Message + "\n"
			}
			if Worst(fs) != c.want || !strings.Contains(joined, c.says) {
				t.Fatalf("findings %v; want %v saying %q", fs, c.want, c.says)
			}
		})
	}
	r := Evaluate(&cluster.Health{}, nil, Options{Kit: good, Thresholds: DefaultThresholds()}, time.Now())
	found := false
	for _, f := range r.Findings {
		found = found || f.Subject == "restore kit"
	}
	if !found {
		t.Fatalf("Evaluate reports nothing of the kit: %v", r.Findings)
	}
}
