package runbook

import (
	"fmt"
	"io"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// MemberCommand is the restore command of one member of the new cluster.
type MemberCommand struct {
	Name     string   `json:"name"`
	PeerURLs []string `json:"peer_urls"`
	Command  string   `json:"command"`
	Done     bool     `json:"done"` // restored by this run
}

// Restore is what an operator does after one member was restored: the other members' commands and
// a recommendation when the restore was not safe for Kubernetes.
type Restore struct {
	Recommendation string          `json:"recommendation,omitempty"`
	Commands       []MemberCommand `json:"member_commands"`
	res            *verify.RestoreResult
}

// ForRestore is the runbook after res. configFlag is the --config to repeat, "" for the default.
func ForRestore(res *verify.RestoreResult, configFlag string) Restore {
	r := Restore{res: res}
	if res.Kubernetes && res.BumpRevision == 0 {
		r.Recommendation = fmt.Sprintf("this backup holds Kubernetes data (/registry/ keys) and was restored "+
			"without a revision bump, so watch caches of the API servers would see revisions go back: move %s "+
			"aside and restore again, on every member, with --bump-revision %d --mark-compacted",
			res.DataDir, verify.KubernetesBump)
	}
	for _, m := range res.Members {
		r.Commands = append(r.Commands, MemberCommand{Name: m.Name, PeerURLs: m.PeerURLs,
			Command: restoreCommand(res, m, configFlag), Done: m.Name == res.Name})
	}
	return r
}

// restoreCommand is the command that restores member m the way res was restored.
func restoreCommand(res *verify.RestoreResult, m verify.Member, configFlag string) string {
	args := []string{"etcd-backupd"}
	if configFlag != "" {
		args = append(args, "--config", Quote(configFlag))
	}
	args = append(args, "restore", res.BackupID, "--data-dir", Quote(res.DataDir),
		"--name", Quote(m.Name), "--initial-advertise-peer-urls", Quote(strings.Join(m.PeerURLs, ",")),
		"--initial-cluster", Quote(res.InitialCluster),
		"--initial-cluster-token", Quote(res.InitialClusterToken))
	switch {
	case res.BumpRevision > 0: // every member alike, chosen or automatic
		args = append(args, "--bump-revision", fmt.Sprint(res.BumpRevision), "--mark-compacted")
	case res.Kubernetes: // the others would be bumped by default
		args = append(args, "--no-bump-revision")
	}
	return strings.Join(args, " ")
}

// WriteSteps writes the steps for the whole cluster: how to restore the other members, if any,
// then how to start the cluster.
func (r Restore) WriteSteps(w io.Writer) error {
	n := 1
	if len(r.Commands) > 1 {
		dir := Quote(r.res.DataDir)
		fmt.Fprintf(w, "\nThe cluster has %d members. On each node whose member is not restored yet:\n", len(r.Commands))
		fmt.Fprintf(w, `  1. Stop the API server and etcd. kubeadm static pods: move their manifests out, then wait
     until crictl ps --name 'etcd|kube-apiserver' lists nothing:
       sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/
     etcd under systemd: sudo systemctl stop etcd
  2. Move the old data dir aside: sudo mv %s %s.before-restore
  3. Restore the node's member from the same backup, %s:
`, dir, dir, r.res.BackupID)
		for _, c := range r.Commands {
			state := "     "
			if c.Done {
				state = "done:"
			}
			fmt.Fprintf(w, "     %s %s: %s\n", state, c.Name, c.Command)
		}
		n = 4
	}
	_, err := fmt.Fprintf(w, `
Then, on every node:
  %d. Start etcd, with the --name and --initial-advertise-peer-urls restored above:
       sudo mv /etc/kubernetes/etcd.yaml /etc/kubernetes/manifests/   (systemd: sudo systemctl start etcd)
  %d. Check the cluster: etcd-backupd check   (or: etcdctl endpoint health --cluster)
  %d. Start the API server: sudo mv /etc/kubernetes/kube-apiserver.yaml /etc/kubernetes/manifests/
`, n, n+1, n+2)
	return err
}
