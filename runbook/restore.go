package runbook

import (
	"fmt"
	"io"
	"net/url"
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
	// KitDir, when set, is where the restore kit was written back: a step puts it in place.
	KitDir string `json:"-"`
	res    *verify.RestoreResult
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

// WithKit says the kit was written back under dir: the other members' commands write theirs too,
// and a step puts it in place.
func (r *Restore) WithKit(dir string) {
	r.KitDir = dir
	for i := range r.Commands {
		r.Commands[i].Command += " --kit-dir " + Quote(dir)
	}
}

// restoreCommand is the command that restores member m the way res was restored.
func restoreCommand(res *verify.RestoreResult, m verify.Member, configFlag string) string {
	args := []string{"etcd-backupd"}
	if configFlag != "" {
		args = append(args, "--config", Quote(configFlag))
	}
	target := []string{res.BackupID}
	if res.Point != nil { // the same revision on every member, whichever backup it starts from
		target = []string{"--to-revision", fmt.Sprint(res.Point.Target), "--from", Quote(res.Point.Destination)}
	}
	args = append(args, "restore")
	args = append(args, target...)
	args = append(args, "--data-dir", Quote(memberDataDir(res, m)),
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

// memberDataDir is where member m is restored: the data dir restored here, except for the other
// members of a cluster whose members all run on one host, which must not share it.
func memberDataDir(res *verify.RestoreResult, m verify.Member) string {
	if m.Name == res.Name || !oneHost(res.Members) {
		return res.DataDir
	}
	return res.DataDir + "-" + m.Name
}

// oneHost reports whether every member's peer URLs name the same host.
func oneHost(members []verify.Member) bool {
	host := ""
	for _, m := range members {
		for _, p := range m.PeerURLs {
			u, err := url.Parse(p)
			if err != nil {
				return false
			}
			if host == "" {
				host = u.Hostname()
			}
			if u.Hostname() != host {
				return false
			}
		}
	}
	return len(members) > 1
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
     An API server whose etcd already died may hang on a graceful stop: if it is still listed after
     a minute, crictl stop it.
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
	fmt.Fprint(w, "\nThen, on every node:\n")
	if r.KitDir != "" {
		fmt.Fprintf(w, `  %d. Put back what the node lost from the restore kit under %s: each missing file at its
     path with its mode, nothing overwritten; the static pod manifests beside /etc/kubernetes/manifests,
     for the next steps to move in place:
       %s
`, n, Quote(r.KitDir), KitCommand(r.KitDir))
		n++
	}
	_, err := fmt.Fprintf(w, `  %d. Start etcd, with the --name and --initial-advertise-peer-urls restored above:
       sudo mv /etc/kubernetes/etcd.yaml /etc/kubernetes/manifests/   (systemd: sudo systemctl start etcd)
  %d. Check the cluster: etcd-backupd check   (or: etcdctl endpoint health --cluster)
  %d. Start the API server: sudo mv /etc/kubernetes/kube-apiserver.yaml /etc/kubernetes/manifests/
  %d. Make what cached the old state relist: sudo systemctl restart kubelet, and move the
     kube-controller-manager and kube-scheduler manifests out of /etc/kubernetes/manifests and back
  %d. Take a fresh backup of the restored cluster (its cluster ID and revisions changed):
       etcd-backupd run-once
`, n, n+1, n+2, n+3, n+4)
	return err
}
