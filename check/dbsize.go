package check

import (
	"fmt"

	"github.com/dustin/go-humanize"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/maintain"
	"github.com/etcd-backupd/etcd-backupd/runbook"
)

// defaultQuota is etcd's quota when a member does not report one.
const defaultQuota = 2 << 30

// quotaOf returns the member's backend quota.
func quotaOf(m cluster.MemberHealth) int64 {
	if m.Status == nil || m.Status.DbSizeQuota <= 0 {
		return defaultQuota
	}
	return m.Status.DbSizeQuota
}

// dbFindings compares each member's db size with its quota, and says which members the maintenance
// rule finds due, the rule `etcd-backupd maintain` applies. Under NOSPACE only maintain --nospace runs.
func dbFindings(h *cluster.Health, o Options, noSpace bool) []Finding {
	th := o.Thresholds
	var out []Finding
	var worst float64
	for _, m := range h.Members {
		st := m.Status
		if st == nil {
			continue
		}
		quota := quotaOf(m)
		ratio := float64(st.DbSize) / float64(quota)
		worst = max(worst, ratio)
		sizes := fmt.Sprintf("db %s of quota %s (%.0f%%)", ibytes(st.DbSize), ibytes(quota), 100*ratio)
		switch {
		case ratio >= 1:
			out = append(out, finding(Critical, memberSubject(m), actionQuota, "%s: the quota is reached", sizes))
		case ratio >= th.QuotaCritical:
			out = append(out, finding(Critical, memberSubject(m), actionQuota, "%s: NOSPACE is imminent", sizes))
		case ratio >= th.QuotaWarn:
			out = append(out, finding(Warn, memberSubject(m), actionQuota, "%s", sizes))
		}
		if d := maintain.Due(st, o.maintainRule()); d.Due {
			out = append(out, finding(Warn, memberSubject(m), maintainAction(o, noSpace),
				"maintenance is due (%s can be reclaimed): %s", ibytes(d.Fragmented), d.Reason))
		}
	}
	if len(out) == 0 && worst > 0 {
		out = append(out, finding(OK, "db size", "", "at most %.0f%% of the quota; fragmentation below the maintenance rule",
			100*worst))
	}
	return out
}

const actionQuota = "compact the history and defragment each member (the steps of the NOSPACE runbook), and " +
	"enable auto-compaction; or raise --quota-backend-bytes (at most 8 GiB)"

// maintainAction runs maintain with the config, after a dry run that prints the plan.
func maintainAction(o Options, noSpace bool) string {
	cmd := "etcd-backupd maintain"
	if o.ConfigPath != "" {
		cmd = "etcd-backupd --config " + runbook.Quote(o.ConfigPath) + " maintain"
	}
	if noSpace {
		return cmd + " --nospace (see the NOSPACE alarm: defragmentation alone is refused under it)"
	}
	return cmd + " (first " + cmd + " --dry-run to see the plan and the reason per member)"
}

func (o Options) maintainRule() maintain.Rule {
	if o.MaintainRule == (maintain.Rule{}) {
		return maintain.DefaultRule()
	}
	return o.MaintainRule
}

func ibytes(n int64) string {
	if n < 0 {
		n = 0
	}
	return humanize.IBytes(uint64(n))
}
