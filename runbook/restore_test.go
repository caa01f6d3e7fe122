package runbook

import (
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// TestMemberDataDirs: on a single host the other members are restored into data dirs of their own;
// across hosts every member uses the same path on its own node.
func TestMemberDataDirs(t *testing.T) {
	members := func(hosts ...string) []verify.Member {
		var ms []verify.Member
		for i, h := range hosts {
			ms = append(ms, verify.Member{Name: string(rune('a' + i)), PeerURLs: []string{"https://" + h + ":2380"}})
		}
		return ms
	}
	cases := []struct {
		name  string
		hosts []string
		want  []string
	}{
		{"one host", []string{"127.0.0.1", "127.0.0.1", "127.0.0.1"},
			[]string{"/var/lib/etcd", "/var/lib/etcd-b", "/var/lib/etcd-c"}},
		{"three hosts", []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"},
			[]string{"/var/lib/etcd", "/var/lib/etcd", "/var/lib/etcd"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := &verify.RestoreResult{BackupID: "x", DataDir: "/var/lib/etcd", Name: "a", Members: members(c.hosts...),
				InitialCluster: "a=...", InitialClusterToken: "t"}
			r := ForRestore(res, "")
			for i, cmd := range r.Commands {
				if !strings.Contains(cmd.Command, "--data-dir "+c.want[i]+" ") {
					t.Fatalf("member %s: %s, want --data-dir %s", cmd.Name, cmd.Command, c.want[i])
				}
			}
			var b strings.Builder
			if err := r.WriteSteps(&b); err != nil || !strings.Contains(b.String(), "restart kubelet") ||
				!strings.Contains(b.String(), "etcd-backupd run-once") || !strings.Contains(b.String(), "hang on a graceful stop") {
				t.Fatalf("steps: %v\n%s", err, b.String())
			}
		})
	}
}

// TestPointInTimeCommands: after a point-in-time restore, every member repeats the exact target
// revision from the same destination, not the base backup's ID.
func TestPointInTimeCommands(t *testing.T) {
	res := &verify.RestoreResult{BackupID: "20261206T000000Z-r000000000041-abcdef", DataDir: "/var/lib/etcd", Name: "a",
		Members: []verify.Member{{Name: "a", PeerURLs: []string{"https://10.0.0.1:2380"}},
			{Name: "b", PeerURLs: []string{"https://10.0.0.2:2380"}}},
		InitialCluster: "a=https://10.0.0.1:2380,b=https://10.0.0.2:2380", InitialClusterToken: "t",
		Point: &verify.PointResult{Target: 107, Destination: "s3://b/etcd?region=eu-west-1"}}
	for _, cmd := range ForRestore(res, "").Commands {
		if !strings.Contains(cmd.Command, "restore --to-revision 107 --from 's3://b/etcd?region=eu-west-1' ") ||
			strings.Contains(cmd.Command, res.BackupID) {
			t.Fatalf("member %s: %s", cmd.Name, cmd.Command)
		}
	}
}
