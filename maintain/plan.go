package maintain

import (
	"sort"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// Step is one member in the plan: whether it is to be defragmented and why.
type Step struct {
	ID       uint64 `json:"-"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Leader   bool   `json:"leader"`
	Learner  bool   `json:"learner"`
	Decision
}

// Plan decides, for every member h lists, whether to defragment it and why, and orders the run:
// learners, then followers, then the leader last, one at a time; members left alone come after.
func Plan(h *cluster.Health, o Options) []Step {
	o.defaults()
	steps := make([]Step, 0, len(h.Members))
	for _, m := range h.Members {
		s := Step{ID: m.ID, Name: m.Name, Endpoint: m.Endpoint, Leader: m.IsLeader(),
			Learner: m.IsLearner || (m.Status != nil && m.Status.IsLearner)}
		if m.Answers() {
			s.Decision = Due(m.Status, o.Rule)
		} else {
			s.Decision = Due(nil, o.Rule)
		}
		if m.Status != nil && (o.All || o.nospace) {
			s.Due, s.Reason = true, "every member asked for"
			if o.nospace {
				s.Reason = "NOSPACE remediation: every member"
			}
		}
		steps = append(steps, s)
	}
	sort.SliceStable(steps, func(i, j int) bool { return rank(steps[i]) < rank(steps[j]) })
	return steps
}

// rank orders the run: learners stall no quorum, followers one at a time, the leader last.
func rank(s Step) int {
	r := 1
	switch {
	case s.Learner:
		r = 0
	case s.Leader:
		r = 2
	}
	if !s.Due {
		r += 3
	}
	return r
}

// planned returns the steps to run.
func planned(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		if s.Due {
			out = append(out, s)
		}
	}
	return out
}
