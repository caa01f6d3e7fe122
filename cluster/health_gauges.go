package cluster

import (
	"context"
	"time"
)

// Gauges are the numbers of one lightweight status poll, for metrics.
type Gauges struct {
	Members    int                  // members in the member list, or configured endpoints without one
	Answering  int                  // members that answered their status call
	HasLeader  bool                 // exactly one member says it leads
	Alarms     map[string]int       // alarm type -> members with it; NOSPACE and CORRUPT are always present
	DBSize     map[string]int64     // member name (or endpoint) -> physically allocated db bytes
	Quota      int64                // the backend quota in bytes, the largest a member reports
	CertExpiry map[string]time.Time // certificate label -> not after
}

// Poll gathers the gauges: member list, status per member, alarms and certificates, without the
// linearizable read per member that a full check does.
func (c *Client) Poll(ctx context.Context) (Gauges, *Health) {
	h := c.Health(ctx, HealthOptions{ServerCerts: true})
	return h.Gauges(), h
}

// Gauges summarises h for metrics.
func (h *Health) Gauges() Gauges {
	g := Gauges{
		Members:    len(h.Members),
		HasLeader:  len(h.Leaders()) == 1,
		Alarms:     map[string]int{AlarmNoSpace: 0, AlarmCorrupt: 0},
		DBSize:     map[string]int64{},
		CertExpiry: map[string]time.Time{},
	}
	for _, m := range h.Members {
		if m.Status == nil || m.StatusErr != nil {
			continue
		}
		g.Answering++
		g.DBSize[m.Label()] = m.Status.DbSize
		g.Quota = max(g.Quota, m.Status.DbSizeQuota)
	}
	for _, a := range h.Alarms {
		g.Alarms[a.Type]++
	}
	for _, c := range h.Certs {
		if !c.NotAfter.IsZero() {
			g.CertExpiry[c.Label] = c.NotAfter
		}
	}
	return g
}

// Label names the member: its name, or its endpoint when it has none (not started, or unlisted).
func (m MemberHealth) Label() string {
	if m.Name != "" {
		return m.Name
	}
	return m.Endpoint
}
