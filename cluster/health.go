package cluster

import (
	"context"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// HealthOptions say what Health gathers beyond the member list, the status of each member and the alarms.
type HealthOptions struct {
	Read        bool // a linearizable read through each member alone
	ServerCerts bool // a TLS handshake with each member to read its server certificate
}

// MemberHealth is one member as Health saw it.
type MemberHealth struct {
	ID         uint64
	Name       string
	Endpoint   string
	IsLearner  bool
	Status     *clientv3.StatusResponse // nil when the status call failed
	StatusErr  error
	ReadErr    error         // the linearizable read; nil when not asked or it succeeded
	ReadTook   time.Duration // how long the read took
	ServerCert *CertExpiry   // nil when not asked or the endpoint is not https
}

// Answers reports whether the member answered its status call and, when asked, the read.
func (m MemberHealth) Answers() bool {
	return m.StatusErr == nil && m.Status != nil && m.ReadErr == nil
}

// IsLeader reports whether the member says it leads.
func (m MemberHealth) IsLeader() bool {
	return m.Status != nil && m.Status.Header != nil && m.Status.Leader != 0 &&
		m.Status.Leader == m.Status.Header.MemberId
}

// Health is one look at the cluster: members with their status, alarms and certificates.
type Health struct {
	At      time.Time
	Members []MemberHealth
	ListErr error // the linearizable member list failed (no quorum, or no endpoint answers)
	// FromConfig says that Members are the configured endpoints, because no member could list the
	// members, not even from its own (serializable) view.
	FromConfig bool
	Alarms     []Alarm
	AlarmErr   error        // the alarm list failed; Alarms then come from the members' status errors
	Certs      []CertExpiry // the configured client certificate and CA, then each member's server certificate
}

// Health gathers the state of the cluster. It never fails as a whole: every problem is recorded in the
// result, next to what it concerns. Each call is bounded by the dial timeout.
func (c *Client) Health(ctx context.Context, o HealthOptions) *Health {
	h := &Health{At: time.Now()}
	listed := c.healthMembers(ctx, h)
	h.Members = make([]MemberHealth, len(listed))
	var wg sync.WaitGroup
	for i, m := range listed {
		h.Members[i] = MemberHealth{ID: m.ID, Name: m.Name, Endpoint: m.Endpoint, IsLearner: m.IsLearner}
		wg.Add(1)
		go func(mh *MemberHealth) {
			defer wg.Done()
			c.probeMember(ctx, mh, o)
		}(&h.Members[i])
	}
	h.Alarms, h.AlarmErr = c.alarms(ctx)
	wg.Wait()
	if h.AlarmErr != nil {
		h.Alarms = alarmsFromStatus(h.Members)
	}
	h.Certs = c.fileCerts()
	for _, m := range h.Members {
		if m.ServerCert != nil {
			h.Certs = append(h.Certs, *m.ServerCert)
		}
	}
	c.lg.Debug("health gathered", zap.Int("members", len(h.Members)), zap.Int("alarms", len(h.Alarms)))
	return h
}

// healthMembers lists the members: through raft first, then, without a quorum, as any member that
// answers knows them, and else as the configured endpoints.
func (c *Client) healthMembers(ctx context.Context, h *Health) []Member {
	listed, err := c.memberList(ctx)
	if err == nil {
		return listed
	}
	h.ListErr = err
	lctx, cancel := c.timeout(ctx)
	defer cancel()
	if resp, err := c.cli.MemberList(lctx, clientv3.WithSerializable()); err == nil {
		listed = nil
		for _, m := range resp.Members {
			if len(m.ClientURLs) > 0 {
				listed = append(listed, Member{ID: m.ID, Name: m.Name, Endpoint: m.ClientURLs[0], IsLearner: m.IsLearner})
			}
		}
		if len(listed) > 0 {
			return listed
		}
	}
	h.FromConfig = true
	listed = nil
	for _, ep := range c.opts.Endpoints {
		listed = append(listed, Member{Endpoint: ep})
	}
	return listed
}

// Leaders returns the members that say they lead.
func (h *Health) Leaders() []MemberHealth {
	var out []MemberHealth
	for _, m := range h.Members {
		if m.IsLeader() {
			out = append(out, m)
		}
	}
	return out
}

// Voters returns how many voting members there are and how many of them are up: they answered
// their status call. A member can be up and still unable to serve a linearizable read.
func (h *Health) Voters() (total, up int) {
	for _, m := range h.Members {
		if m.IsLearner || (m.Status != nil && m.Status.IsLearner) {
			continue
		}
		total++
		if m.Status != nil && m.StatusErr == nil {
			up++
		}
	}
	return total, up
}

// Quorum is the number of voting members a cluster of n voters needs to make progress.
func Quorum(n int) int { return n/2 + 1 }
