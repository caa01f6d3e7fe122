package main

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// memberCommand is the restore command of one member of the new cluster.
type memberCommand struct {
	Name     string   `json:"name"`
	PeerURLs []string `json:"peer_urls"`
	Command  string   `json:"command"`
	Done     bool     `json:"done"` // restored by this run
}

// restoreOutput is what restore prints: the result, a recommendation and every member's command.
type restoreOutput struct {
	*verify.RestoreResult
	Destination    string          `json:"destination"`
	Recommendation string          `json:"recommendation,omitempty"`
	Commands       []memberCommand `json:"member_commands"`
}

func newRestoreOutput(res *verify.RestoreResult, dest, configFlag string) *restoreOutput {
	out := &restoreOutput{RestoreResult: res, Destination: dest}
	if res.Kubernetes && res.BumpRevision == 0 {
		out.Recommendation = fmt.Sprintf("this backup holds Kubernetes data (/registry/ keys) and was restored "+
			"without a revision bump, so watch caches of the API servers would see revisions go back: move %s "+
			"aside and restore again, on every member, with --bump-revision %d --mark-compacted",
			res.DataDir, verify.KubernetesBump)
	}
	for _, m := range res.Members {
		out.Commands = append(out.Commands, memberCommand{Name: m.Name, PeerURLs: m.PeerURLs,
			Command: restoreCommand(res, m, configFlag), Done: m.Name == res.Name})
	}
	return out
}

// restoreCommand is the command that restores member m the way res was restored.
func restoreCommand(res *verify.RestoreResult, m verify.Member, configFlag string) string {
	args := []string{"etcd-backupd"}
	if configFlag != "" {
		args = append(args, "--config", shellQuote(configFlag))
	}
	args = append(args, "restore", res.BackupID, "--data-dir", shellQuote(res.DataDir),
		"--name", shellQuote(m.Name), "--initial-advertise-peer-urls", shellQuote(strings.Join(m.PeerURLs, ",")),
		"--initial-cluster", shellQuote(res.InitialCluster),
		"--initial-cluster-token", shellQuote(res.InitialClusterToken))
	if res.BumpRevision > 0 {
		args = append(args, "--bump-revision", fmt.Sprint(res.BumpRevision), "--mark-compacted")
	}
	return strings.Join(args, " ")
}

// restoreConfigFlag is the --config to repeat on the other members, "" for the default path.
func (g *globals) restoreConfigFlag() string {
	if g.configPath == config.DefaultPath {
		return ""
	}
	if abs, err := filepath.Abs(g.configPath); err == nil {
		return abs
	}
	return g.configPath
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,@%+-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (o *restoreOutput) print(w io.Writer) error {
	r := o.RestoreResult
	fmt.Fprintf(w, "Restored backup %s from %s into %s\n", r.BackupID, o.Destination, r.DataDir)
	fmt.Fprintf(w, "  member    %s (peer URLs %s)\n", r.Name, strings.Join(r.PeerURLs, ","))
	fmt.Fprintf(w, "  revision  %d", r.Revision)
	if r.BumpRevision > 0 {
		fmt.Fprintf(w, " (backup revision %d, bumped by %d and marked compacted)", r.Revision-int64(r.BumpRevision), r.BumpRevision)
	}
	fmt.Fprintf(w, "\n  keys      %d\n  steps     %s\n", r.TotalKeys, formatSteps(r.Steps, stepOrder))
	if o.Recommendation != "" {
		fmt.Fprintf(w, "\nWARNING: %s.\n", o.Recommendation)
	}
	return o.printSteps(w)
}

// printSteps prints the runbook for the whole cluster: how to restore the other members, if any,
// then how to start the cluster.
func (o *restoreOutput) printSteps(w io.Writer) error {
	n := 1
	if len(o.Commands) > 1 {
		dir := shellQuote(o.DataDir)
		fmt.Fprintf(w, "\nThe cluster has %d members. On each node whose member is not restored yet:\n", len(o.Commands))
		fmt.Fprintf(w, `  1. Stop the API server and etcd. kubeadm static pods: move their manifests out, then wait
     until crictl ps --name 'etcd|kube-apiserver' lists nothing:
       sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/
     etcd under systemd: sudo systemctl stop etcd
  2. Move the old data dir aside: sudo mv %s %s.before-restore
  3. Restore the node's member from the same backup, %s:
`, dir, dir, o.BackupID)
		for _, c := range o.Commands {
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
