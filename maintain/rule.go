package maintain

import (
	"fmt"

	"github.com/dustin/go-humanize"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// defaultQuota is etcd's backend quota when a member reports none.
const defaultQuota = 2 << 30

// Rule says when a member is worth defragmenting. A member is due when it is fragmented (at least
// FragmentedFraction of its db free AND at least FragmentedBytes free), or when its db has reached
// QuotaUsage of its quota with anything at all to reclaim.
type Rule struct {
	FragmentedFraction float64 `json:"fragmented_fraction"` // free pages / db size; 0: any
	FragmentedBytes    int64   `json:"fragmented_bytes"`    // free bytes; 0: any
	QuotaUsage         float64 `json:"quota_usage"`         // db size / quota; 0 turns this trigger off
}

// DefaultRule is OpenShift's fragmentation rule (over 45% and over 100 MiB free) with etcd-defrag's
// quota trigger (80% of the quota).
func DefaultRule() Rule {
	return Rule{FragmentedFraction: 0.45, FragmentedBytes: 100 << 20, QuotaUsage: 0.8}
}

// Decision is what a Rule says about one member, with the figures behind it.
type Decision struct {
	Due                bool    `json:"due"`
	Reason             string  `json:"reason"`
	DBSize             int64   `json:"db_size"`
	InUse              int64   `json:"in_use"`
	Quota              int64   `json:"quota"`
	Fragmented         int64   `json:"fragmented_bytes"`
	FragmentedFraction float64 `json:"fragmented_fraction"`
	QuotaUsage         float64 `json:"quota_usage"`
}

// Due applies r to one member's status. A nil status is never due.
func Due(st *clientv3.StatusResponse, r Rule) Decision {
	if st == nil {
		return Decision{Reason: "no status"}
	}
	d := Decision{DBSize: st.DbSize, InUse: st.DbSizeInUse, Quota: st.DbSizeQuota}
	if d.Quota <= 0 {
		d.Quota = defaultQuota
	}
	d.Fragmented = max(d.DBSize-d.InUse, 0)
	if d.DBSize > 0 {
		d.FragmentedFraction = float64(d.Fragmented) / float64(d.DBSize)
	}
	d.QuotaUsage = float64(d.DBSize) / float64(d.Quota)
	frag := fmt.Sprintf("%.0f%% fragmented (%s free of %s)", 100*d.FragmentedFraction,
		ibytes(d.Fragmented), ibytes(d.DBSize))
	quota := fmt.Sprintf("db at %.0f%% of the %s quota", 100*d.QuotaUsage, ibytes(d.Quota))
	switch {
	case d.Fragmented > 0 && d.FragmentedFraction >= r.FragmentedFraction && d.Fragmented >= r.FragmentedBytes:
		d.Due, d.Reason = true, fmt.Sprintf("%s: at least %.0f%% and %s", frag,
			100*r.FragmentedFraction, ibytes(r.FragmentedBytes))
	// With nothing free, a defragmentation cannot help a full member: the quota must grow.
	case r.QuotaUsage > 0 && d.QuotaUsage >= r.QuotaUsage && d.Fragmented > 0:
		d.Due, d.Reason = true, fmt.Sprintf("%s: at least %.0f%%; %s", quota, 100*r.QuotaUsage, frag)
	default:
		d.Reason = fmt.Sprintf("not due: %s, %s", frag, quota)
	}
	return d
}

func ibytes(n int64) string {
	return humanize.IBytes(uint64(max(n, 0)))
}
