package check

import (
	"fmt"

	"github.com/dustin/go-humanize"

	"github.com/etcd-backupd/etcd-backupd/cluster"
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

// dbFindings compares each member's db size with its quota, and what is in use with what is allocated.
func dbFindings(h *cluster.Health, th Thresholds) []Finding {
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
		if st.DbSize > th.FragMinSize && float64(st.DbSizeInUse) < th.FragInUse*float64(st.DbSize) {
			out = append(out, finding(Warn, memberSubject(m), "defragment the members one at a time, "+
				"followers first and the leader last: etcdctl --endpoints="+m.Endpoint+" defrag (with the TLS flags)",
				"only %s of %s in use: %s can be reclaimed by a defrag", ibytes(st.DbSizeInUse), ibytes(st.DbSize),
				ibytes(st.DbSize-st.DbSizeInUse)))
		}
	}
	if len(out) == 0 && worst > 0 {
		out = append(out, finding(OK, "db size", "", "at most %.0f%% of the quota; fragmentation below the threshold",
			100*worst))
	}
	return out
}

const actionQuota = "compact the history and defragment each member (the steps of the NOSPACE runbook), and " +
	"enable auto-compaction; or raise --quota-backend-bytes (at most 8 GiB)"

func ibytes(n int64) string {
	if n < 0 {
		n = 0
	}
	return humanize.IBytes(uint64(n))
}
