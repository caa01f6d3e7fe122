package check

import (
	"fmt"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

const actionMemberDown = "check the etcd process on that node (systemctl status etcd, or kubectl -n kube-system " +
	"logs etcd-<node>) and its disk; once it runs again it catches up by itself"

// memberFindings checks that every member answers, that a quorum of voters answers, and that there is
// exactly one leader.
func memberFindings(h *cluster.Health) []Finding {
	var out []Finding
	for _, m := range h.Members {
		if m.Answers() {
			continue
		}
		sev, action := Critical, actionMemberDown
		if m.IsLearner {
			sev = Warn
		}
		if strings.Contains(errText(m), "tls:") {
			action = "fix the TLS setup named in the message (etcd.cacert, etcd.cert, etcd.key), then check again"
		}
		out = append(out, finding(sev, memberSubject(m), action, "does not answer: %s", errText(m)))
	}
	out = append(out, quorumFinding(h))
	return append(out, leaderFindings(h)...)
}

func quorumFinding(h *cluster.Health) Finding {
	total, up := h.Voters()
	need := cluster.Quorum(total)
	switch {
	case up < need:
		return finding(Critical, "quorum",
			"bring members back first; if fewer than "+fmt.Sprint(need)+" can be brought back, restore the latest "+
				"backup on every member (etcd-backupd restore latest --data-dir ...), then start them all",
			"LOST: %d of %d voting members are up and %d are needed; etcd accepts no writes, Kubernetes cannot "+
				"change anything%s", up, total, need, listErrNote(h))
	case up < total:
		margin := "one more failure stops all writes"
		if spare := up - need; spare > 0 {
			margin = fmt.Sprintf("it tolerates %d more failure(s)", spare)
		}
		return finding(Warn, "quorum", "bring the missing members back before any maintenance",
			"held by %d of %d voting members (%d needed); %s", up, total, need, margin)
	case h.ListErr != nil:
		return finding(Warn, "quorum", "check the configured endpoints (etcd.endpoints) and the members' logs",
			"every member is up but the member list failed: %v", h.ListErr)
	}
	return finding(OK, "quorum", "", "all %d voting members are up (%d needed)", total, need)
}

func listErrNote(h *cluster.Health) string {
	if !h.FromConfig {
		return ""
	}
	return "; no member could list the members, so only the configured endpoints were checked"
}

func leaderFindings(h *cluster.Health) []Finding {
	leaders := h.Leaders()
	switch len(leaders) {
	case 0:
		return []Finding{finding(Critical, "leader",
			"look for elections and slow disks in the etcd logs (grep -E 'elected leader|took too long'); "+
				"check the network between members", "no member leads")}
	case 1:
	default:
		var names []string
		for _, l := range leaders {
			names = append(names, l.Label())
		}
		return []Finding{finding(Critical, "leader", "a partitioned old leader steps down by itself; "+
			"check the network between members", "%d members claim to lead: %s", len(leaders),
			strings.Join(names, ", "))}
	}
	l := leaders[0]
	out := []Finding{finding(OK, "leader", "", "%s leads (term %d)", l.Label(), l.Status.RaftTerm)}
	for _, m := range h.Members {
		if m.Status == nil || m.Status.Leader == l.ID {
			continue
		}
		msg := fmt.Sprintf("follows leader %x, not %s (%x)", m.Status.Leader, l.Label(), l.ID)
		if m.Status.Leader == 0 {
			msg = "sees no leader while " + l.Label() + " leads"
		}
		out = append(out, finding(Warn, memberSubject(m), "check the network between this member and "+l.Label(), "%s", msg))
	}
	return out
}

// raftFindings checks that the raft indexes of the members agree, and that each member applies
// what it commits.
func raftFindings(h *cluster.Health, th Thresholds) []Finding {
	var lo, hi *cluster.MemberHealth
	var out []Finding
	for i := range h.Members {
		m := &h.Members[i]
		if m.Status == nil {
			continue
		}
		if lo == nil || m.Status.RaftIndex < lo.Status.RaftIndex {
			lo = m
		}
		if hi == nil || m.Status.RaftIndex > hi.Status.RaftIndex {
			hi = m
		}
		if gap := sub(m.Status.RaftIndex, m.Status.RaftAppliedIndex); gap > th.RaftIndexLag {
			out = append(out, finding(Warn, memberSubject(*m), "check the member's disk latency (iostat -x 1) and CPU",
				"applied index %d is %d entries behind its raft index %d", m.Status.RaftAppliedIndex, gap,
				m.Status.RaftIndex))
		}
	}
	if lo == nil {
		return out
	}
	if spread := hi.Status.RaftIndex - lo.Status.RaftIndex; spread > th.RaftIndexLag {
		return append(out, finding(Warn, "raft index", "check the lagging member's disk and network; "+
			"run the check again to see whether it catches up", "%s is %d entries behind %s (%d vs %d; threshold %d)",
			lo.Label(), spread, hi.Label(), lo.Status.RaftIndex, hi.Status.RaftIndex, th.RaftIndexLag))
	}
	if len(out) == 0 {
		out = append(out, finding(OK, "raft index", "", "members agree within %d entries (threshold %d)",
			hi.Status.RaftIndex-lo.Status.RaftIndex, th.RaftIndexLag))
	}
	return out
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func memberSubject(m cluster.MemberHealth) string {
	if m.Name == "" {
		return "member " + m.Endpoint
	}
	return fmt.Sprintf("member %s (%s)", m.Name, m.Endpoint)
}

// errText is why a member does not answer.
func errText(m cluster.MemberHealth) string {
	switch {
	case m.StatusErr != nil:
		return m.StatusErr.Error()
	case m.ReadErr != nil:
		return m.ReadErr.Error()
	case m.Status == nil:
		return "no status"
	}
	return ""
}
