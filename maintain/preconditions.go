package maintain

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// RefusedError lists why maintenance did not start. Nothing was changed.
type RefusedError struct{ Reasons []string }

func (e *RefusedError) Error() string {
	return "maintenance refused, nothing changed: " + strings.Join(e.Reasons, "; ")
}

// Preconditions says whether maintenance may start on the cluster h describes; gather h with
// cluster.HealthOptions{Read: true} so that every member proves it serves reads. It returns nil or
// a *RefusedError with every reason. A NOSPACE alarm refuses too: that is RemediateNoSpace's job.
func Preconditions(h *cluster.Health, o Options) error {
	o.defaults()
	var why []string
	if h.ListErr != nil || h.FromConfig {
		why = append(why, fmt.Sprintf("cannot list the members through raft: %v", h.ListErr))
	}
	why = append(why, alarmProblems(h, o.nospace)...)
	why = append(why, memberProblems(h)...)
	why = append(why, leaderProblems(h)...)
	why = append(why, lagProblems(h, o.MaxRaftLag)...)
	why = append(why, quorumProblems(h, o.AllowUnavailable)...)
	if len(why) == 0 {
		return nil
	}
	return &RefusedError{Reasons: why}
}

// midRun turns a refusal found after something changed (a compaction, a member done) into a plain
// error, which does not claim that nothing changed.
func midRun(err error, what string) error {
	var ref *RefusedError
	if errors.As(err, &ref) {
		return fmt.Errorf("%s: %s", what, strings.Join(ref.Reasons, "; "))
	}
	return err
}

func alarmProblems(h *cluster.Health, nospace bool) []string {
	if h.AlarmErr != nil {
		return []string{fmt.Sprintf("cannot list the alarms: %v", h.AlarmErr)}
	}
	var why []string
	for _, a := range h.Alarms {
		switch {
		case a.Type == cluster.AlarmNoSpace && nospace:
		case a.Type == cluster.AlarmNoSpace:
			why = append(why, fmt.Sprintf("alarm NOSPACE on member %x: run the NOSPACE remediation instead", a.MemberID))
		default:
			why = append(why, fmt.Sprintf("alarm %s on member %x", a.Type, a.MemberID))
		}
	}
	return why
}

// alarmRE matches the alarms in a status's errors; alarms are judged from the alarm list instead.
var alarmRE = regexp.MustCompile(`memberID:\s*\d+\s+alarm:`)

// memberProblems requires every member, learners included, to answer with no error but alarms.
func memberProblems(h *cluster.Health) []string {
	var why []string
	for _, m := range h.Members {
		if !m.Answers() {
			why = append(why, fmt.Sprintf("member %s does not answer: %v", who(m), memberErr(m)))
			continue
		}
		for _, e := range problems(m.Status) {
			why = append(why, fmt.Sprintf("member %s reports: %s", who(m), e))
		}
	}
	return why
}

func memberErr(m cluster.MemberHealth) error {
	if m.StatusErr != nil {
		return m.StatusErr
	}
	return m.ReadErr
}

func leaderProblems(h *cluster.Health) []string {
	leaders := h.Leaders()
	if len(leaders) != 1 {
		return []string{fmt.Sprintf("%d members say they lead, want exactly one", len(leaders))}
	}
	lead := leaders[0].Status.Header.MemberId
	var why []string
	for _, m := range h.Members {
		if m.Answers() && m.Status.Leader != lead {
			why = append(why, fmt.Sprintf("member %s sees leader %x, not %x", who(m), m.Status.Leader, lead))
		}
	}
	return why
}

func lagProblems(h *cluster.Health, maxLag uint64) []string {
	var top uint64
	for _, m := range h.Members {
		if m.Answers() {
			top = max(top, m.Status.RaftAppliedIndex)
		}
	}
	var why []string
	for _, m := range h.Members {
		if m.Answers() && top-m.Status.RaftAppliedIndex > maxLag {
			why = append(why, fmt.Sprintf("member %s is %d raft entries behind (at most %d)", who(m),
				top-m.Status.RaftAppliedIndex, maxLag))
		}
	}
	return why
}

// quorumProblems refuses a cluster that would lose its quorum if one more voting member stalled.
func quorumProblems(h *cluster.Health, allowUnavailable bool) []string {
	total, up := h.Voters()
	q := cluster.Quorum(total)
	switch {
	case total == 0:
		return []string{"no voting member"}
	case up-1 < q && up < total:
		return []string{fmt.Sprintf("%d of %d voting members up: one more stalled would lose the quorum of %d", up, total, q)}
	case total-1 < q && !allowUnavailable:
		return []string{fmt.Sprintf("%d voting member(s): the cluster stops while one is defragmented; allow it explicitly", total)}
	}
	return nil
}

// who names a member for messages: its name and endpoint.
func who(m cluster.MemberHealth) string {
	if m.Name == "" {
		return m.Endpoint
	}
	return m.Name + " (" + m.Endpoint + ")"
}
