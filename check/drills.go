package check

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

const actionVerify = "run etcd-backupd verify latest --deep (it records a drill); set schedule.verify to run drills " +
	"on a schedule"

// verifyFinding says whether the backups at one destination are proven restorable. The newest backup
// verified is ok. Otherwise the most recent drill of any backup counts, as long as it passed and is
// not older than th.StaleRuns drill intervals; drills run far less often than backups.
func verifyFinding(st DestinationState, sch Schedules, th Thresholds, now time.Time) Finding {
	subj := "verification at " + st.URL
	if st.DrillsErr != nil {
		return finding(Warn, subj, actionStore, "cannot read the drill records: %v", st.DrillsErr)
	}
	if d := st.NewestRun; d != nil {
		if d.OK {
			return finding(OK, subj, "", "the newest backup %s passed a %s drill on %s", st.Newest, d.Mode, day(d))
		}
		return failedDrill(subj, d)
	}
	last := st.LastDrill
	switch {
	case last == nil:
		return finding(Warn, subj, actionVerify, "no backup has ever been verified")
	case !last.OK:
		return failedDrill(subj, last)
	case sch.Verify == nil:
		return finding(Warn, subj, actionVerify, "the newest backup %s is not verified and drills are off "+
			"(schedule.verify is empty); the last verified is %s, on %s", st.Newest, last.BackupID, day(last))
	case now.After(staleAt(sch.Verify, last.StartedAt, th.StaleRuns)):
		return finding(Warn, subj, "read the daemon's logs for the drill job; "+actionVerify,
			"the last drill, of %s on %s, is older than %d drill intervals (every %s)", last.BackupID, day(last),
			th.StaleRuns, span(Interval(sch.Verify, now)))
	}
	return finding(OK, subj, "", "%s passed a %s drill on %s; the newest backup %s waits for the next drill",
		last.BackupID, last.Mode, day(last), st.Newest)
}

func failedDrill(subj string, d *catalog.Drill) Finding {
	return finding(Critical, subj, "run etcd-backupd verify "+d.BackupID+" --deep to see the failing step; "+
		"take a fresh backup (etcd-backupd run-once) and verify it",
		"the %s drill of %s on %s FAILED: %s", d.Mode, d.BackupID, day(d), d.Error)
}

func day(d *catalog.Drill) string { return d.StartedAt.UTC().Format(time.RFC3339) }
