package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Member is one etcd member and what its status call returned.
type Member struct {
	ID        uint64
	Name      string
	Endpoint  string // the client URL used to reach it
	IsLearner bool
	Status    *clientv3.StatusResponse // nil when the member did not answer
	Err       error                    // why the member is not healthy
}

// Healthy reports whether the member answered its status call without errors. A NOSPACE alarm is
// not one: the member still serves reads and snapshots (see Alarms).
func (m Member) Healthy() bool { return m.Err == nil && m.Status != nil }

// Alarms returns the alarms the member reports in its status, NOSPACE included, for the caller to
// log and report.
func (m Member) Alarms() []Alarm {
	if m.Status == nil {
		return nil
	}
	return statusAlarms(m.Status.Errors)
}

// IsLeader reports whether the member says it leads.
func (m Member) IsLeader() bool {
	return m.Status != nil && m.Status.Header != nil && m.Status.Leader == m.Status.Header.MemberId
}

// Members lists the cluster's members and asks each for its status, in parallel. When the member
// list cannot be read (no quorum, for example), it falls back to the configured endpoints.
func (c *Client) Members(ctx context.Context) ([]Member, error) {
	members, listErr := c.memberList(ctx)
	if listErr != nil {
		c.lg.Warn("member list failed; using the configured endpoints", zap.Error(listErr))
		members = nil
		for _, ep := range c.opts.Endpoints {
			members = append(members, Member{Endpoint: ep})
		}
	}
	var wg sync.WaitGroup
	for i := range members {
		wg.Add(1)
		go func(m *Member) {
			defer wg.Done()
			sctx, cancel := c.timeout(ctx)
			defer cancel()
			m.Status, m.Err = c.cli.Status(sctx, m.Endpoint)
			if m.Err != nil {
				if derr := c.diagnose(ctx, m.Endpoint); derr != nil {
					m.Err = derr
				}
			}
			if problems := statusProblems(m.Status); m.Err == nil && len(problems) > 0 {
				m.Err = fmt.Errorf("member reports: %s", strings.Join(problems, "; "))
			}
			if m.Status != nil && m.Status.Header != nil && m.ID == 0 {
				m.ID = m.Status.Header.MemberId
			}
		}(&members[i])
	}
	wg.Wait()
	return members, listErr
}

func (c *Client) memberList(ctx context.Context) ([]Member, error) {
	lctx, cancel := c.timeout(ctx)
	defer cancel()
	resp, err := c.cli.MemberList(lctx)
	if err != nil {
		return nil, fmt.Errorf("member list from %v: %w", c.opts.Endpoints, err)
	}
	var out []Member
	for _, m := range resp.Members {
		if len(m.ClientURLs) == 0 {
			continue // not started yet
		}
		out = append(out, Member{ID: m.ID, Name: m.Name, Endpoint: m.ClientURLs[0], IsLearner: m.IsLearner})
	}
	if len(out) == 0 {
		return nil, errors.New("member list is empty")
	}
	return out, nil
}

// Candidates orders the healthy members by preference for a snapshot, following from:
// "follower" prefers followers, then the leader; "leader" the reverse; "any" keeps list order.
// Among equals the most up-to-date member comes first. Learners come last.
func Candidates(members []Member, from string) []Member {
	var out []Member
	for _, m := range members {
		if m.Healthy() {
			out = append(out, m)
		}
	}
	rank := func(m Member) int {
		switch {
		case m.IsLearner:
			return 2
		case from == "any":
			return 0
		case m.IsLeader() == (from == "leader"):
			return 0
		default:
			return 1
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		if from == "any" {
			return false
		}
		return out[i].Status.RaftAppliedIndex > out[j].Status.RaftAppliedIndex
	})
	return out
}

// Unhealthy summarises why no member can be used.
func Unhealthy(members []Member) error {
	var errs []string
	for _, m := range members {
		if !m.Healthy() {
			errs = append(errs, fmt.Sprintf("%s: %v", m.Endpoint, m.Err))
		}
	}
	if len(errs) == 0 {
		return errors.New("no member to snapshot")
	}
	return fmt.Errorf("no healthy etcd member: %s", strings.Join(errs, "; "))
}
