package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// actionJournal is what to do when the journal falls behind or breaks.
const actionJournal = "read the elected daemon's log (logger journal) and its etcd_backupd_journal_* metrics; " +
	"a gap is closed by the full backup the daemon takes at once: check that it committed"

// journalFindings judge the journal at one destination when it is enabled (maxAge > 0): how far its
// newest revision is behind etcd's, and its gaps. Lag is judged only when etcd is ahead of the
// journal: a cluster with no writes has nothing to journal.
func journalFindings(st DestinationState, h *cluster.Health, maxAge time.Duration, now time.Time) []Finding {
	if maxAge <= 0 || st.OpenErr != nil || st.ScanErr != nil {
		return nil
	}
	subj := "journal at " + st.URL
	if st.JournalErr != nil {
		return []Finding{finding(Critical, subj, actionJournal, "cannot read: %v", st.JournalErr)}
	}
	s := st.Journal
	if s == nil || s.Segments == 0 {
		return []Finding{finding(Warn, subj, actionJournal,
			"enabled, but no segment is committed here: there is no point-in-time recovery yet")}
	}
	var out []Finding
	limit := max(10*maxAge, time.Minute)
	etcdRev := clusterRevision(h)
	switch lag := now.Sub(s.NewestTime); {
	case etcdRev > s.NewestRevision && lag > 10*limit:
		out = append(out, finding(Critical, subj, actionJournal, "behind: newest journaled revision %d received %s ago; etcd is at %d",
			s.NewestRevision, span(lag), etcdRev))
	case etcdRev > s.NewestRevision && lag > limit:
		out = append(out, finding(Warn, subj, actionJournal, "lagging: newest journaled revision %d received %s ago (limit %s); etcd is at %d",
			s.NewestRevision, span(lag), span(limit), etcdRev))
	default:
		out = append(out, finding(OK, subj, "", "up to date: revision %d, %d segments", s.NewestRevision, s.Segments))
	}
	if len(s.Windows) == 0 || s.Windows[len(s.Windows)-1].ToRevision != s.NewestRevision {
		out = append(out, finding(Warn, subj, actionJournal,
			"the newest segments follow no full backup here: they cannot be restored yet"))
	}
	if len(s.Gaps) > 0 {
		out = append(out, finding(Warn, subj, actionJournal, "%d gap(s): %s; revisions inside are not restorable",
			len(s.Gaps), gapList(s.Gaps)))
	}
	return out
}

// clusterRevision is the highest revision a member reported; 0 when none answered.
func clusterRevision(h *cluster.Health) int64 {
	var rev int64
	for _, m := range h.Members {
		if m.Status != nil && m.Status.Header != nil {
			rev = max(rev, m.Status.Header.Revision)
		}
	}
	return rev
}

func gapList(gs []journal.Gap) string {
	var parts []string
	for i, g := range gs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(gs)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("revisions %d-%d", g.From, g.To))
	}
	return strings.Join(parts, ", ")
}
