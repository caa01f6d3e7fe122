package check

import "time"

// Thresholds decide when a fact becomes a warning or a critical finding.
type Thresholds struct {
	// RaftIndexLag is the largest gap allowed between the members' raft indexes, and between a
	// member's raft index and its applied index, in entries. Status calls are not simultaneous, so
	// a busy cluster shows a few entries of gap even when healthy.
	RaftIndexLag uint64
	// QuotaWarn and QuotaCritical are fractions of the backend quota.
	QuotaWarn, QuotaCritical float64
	// Certificates that expire within CertWarn warn, within CertCritical are critical.
	CertWarn, CertCritical time.Duration
	// StaleRuns is how many scheduled runs may pass without a newer backup (or drill) before it is stale.
	StaleRuns int
}

// DefaultThresholds are the thresholds of the operators' guide.
func DefaultThresholds() Thresholds {
	return Thresholds{
		RaftIndexLag:  10,
		QuotaWarn:     0.80,
		QuotaCritical: 0.95,
		CertWarn:      30 * 24 * time.Hour,
		CertCritical:  7 * 24 * time.Hour,
		StaleRuns:     2,
	}
}
