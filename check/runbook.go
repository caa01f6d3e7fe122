package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/runbook"
)

// Access is how etcdctl reaches the cluster: the config's etcd section.
type Access struct {
	Endpoints              []string
	CACert, Cert, Key      string
	Username, PasswordFile string
}

// RunbookStep is one step of a runbook: what it does and the shell commands to run, in order.
type RunbookStep struct {
	Title    string   `json:"title"`
	Commands []string `json:"commands"`
}

// defragTimeout is the etcdctl command timeout for a defrag, which takes a while on a large db.
const defragTimeout = "2m"

// NoSpaceRunbook writes the NOSPACE runbook of the operators' guide with the commands for this cluster:
// find the current revision, compact, defragment the followers and then the leader, disarm, check
// again with the config file at configPath.
func NoSpaceRunbook(h *cluster.Health, a Access, configPath string) []RunbookStep {
	all := a.etcdctl(a.Endpoints)
	steps := []RunbookStep{
		{Title: "Find the current revision", Commands: []string{
			"REV=$(" + all + ` get / --prefix --keys-only --limit=1 -w json | grep -o '"revision":[0-9]*' | head -1 | cut -d: -f2)`,
			`echo "current revision: $REV"`,
		}},
		{Title: "Compact the history up to it (--physical waits until the space is free to reclaim)", Commands: []string{
			all + ` compact --physical "${REV:?no revision found}"`,
		}},
		{Title: "Defragment each member, one at a time, followers first and the leader last", Commands: defragCommands(h, a)},
		{Title: "Check that every DB SIZE is now well below the quota, then disarm the alarm", Commands: []string{
			all + " endpoint status --cluster -w table",
			all + " alarm disarm",
			all + " alarm list",
		}},
		{Title: "Check again", Commands: []string{"etcd-backupd --config " + runbook.Quote(configPath) + " check"}},
	}
	return steps
}

// defragCommands defragments the followers, then the leader, showing each member's status after its
// defrag. The status, not "endpoint health": health fails for as long as the alarm is raised.
func defragCommands(h *cluster.Health, a Access) []string {
	members := append([]cluster.MemberHealth(nil), h.Members...)
	sort.SliceStable(members, func(i, j int) bool { return !members[i].IsLeader() && members[j].IsLeader() })
	var out []string
	for _, m := range members {
		if !m.Answers() {
			out = append(out, fmt.Sprintf("# %s does not answer: defragment it the same way once it is back", m.Label()))
			continue
		}
		one := a.etcdctl([]string{m.Endpoint})
		role := "follower"
		if m.IsLeader() {
			role = "leader, last"
		}
		out = append(out,
			fmt.Sprintf("%s --command-timeout=%s defrag   # %s (%s)", one, defragTimeout, m.Label(), role),
			one+" endpoint status -w table")
	}
	return out
}

// etcdctl is the etcdctl command with the connection flags of the config.
func (a Access) etcdctl(endpoints []string) string {
	args := []string{"etcdctl", runbook.Quote("--endpoints=" + strings.Join(endpoints, ","))}
	for _, f := range []struct{ flag, v string }{{"cacert", a.CACert}, {"cert", a.Cert}, {"key", a.Key}, {"user", a.Username}} {
		if f.v != "" {
			args = append(args, runbook.Quote("--"+f.flag+"="+f.v))
		}
	}
	if a.Username != "" && a.PasswordFile != "" {
		args = append(args, `--password="$(cat `+runbook.Quote(a.PasswordFile)+`)"`)
	}
	return strings.Join(args, " ")
}
