package check

import (
	"context"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// Destination is one configured destination, opened or not.
type Destination struct {
	URL     string           // redacted
	Catalog *catalog.Catalog // nil when OpenErr is set
	OpenErr error
	// NoDelete says that this node deletes nothing here (retention.enabled: false), so that its
	// credentials may lack the delete permission: the probe's delete refused for permission is
	// expected, not a failure.
	NoDelete bool
}

// DestinationState is what one destination holds for the cluster.
type DestinationState struct {
	URL      string
	OpenErr  error
	ProbeErr error
	// ProbeNoDelete: the probe wrote and read back, and its delete was refused for permission at a
	// destination where this node deletes nothing (Destination.NoDelete); the probe object stays.
	ProbeNoDelete bool
	ScanErr       error
	DrillsErr     error
	Backups       int // committed backups whose manifest reads well
	Damaged       []catalog.Damaged
	Newest        string         // ID of the newest committed backup
	NewestKit     bool           // it carries a restore kit
	NewestAt      time.Time      // when it was taken, from its ID
	NewestRun     *catalog.Drill // the newest drill record of the newest backup
	LastDrill     *catalog.Drill // the most recent drill record of any backup
	// LockErr says why a destination with object_lock cannot lock objects (storage.CheckLock).
	LockErr error
	// Journal summarizes the journal here (continuous backup); JournalErr says why it could not.
	Journal    *journal.Summary
	JournalErr error
}

// Inspect probes a destination (storage.Probe: write, read back and delete an object under
// <cluster>/probe/) and reads its backups and drill records: one listing of each folder, every
// manifest (a damaged one is a finding) and one read per drilled backup.
func Inspect(ctx context.Context, d Destination) DestinationState {
	st := DestinationState{URL: d.URL, OpenErr: d.OpenErr}
	if d.OpenErr != nil {
		return st
	}
	pr := storage.Probe(ctx, d.Catalog.Store, d.Catalog.Layout.Cluster)
	if d.NoDelete && pr.Step == "delete" && pr.Kind == storage.KindPermission {
		st.ProbeNoDelete = true
	} else {
		st.ProbeErr = pr.Err
	}
	st.LockErr = storage.CheckLock(ctx, d.Catalog.Store)
	ms, damaged, err := d.Catalog.Manifests(ctx)
	if err != nil {
		st.ScanErr = err
		return st
	}
	st.Backups, st.Damaged = len(ms), damaged
	st.Journal, st.JournalErr = journal.New(d.Catalog.Store, d.Catalog.Layout.Cluster).Summarize(ctx, ms)
	if len(ms) > 0 {
		st.Newest, st.NewestKit = ms[0].ID, ms[0].Kit != nil
		st.NewestAt, _, _ = catalog.ParseID(ms[0].ID)
	}
	drills, err := d.Catalog.LastDrills(ctx)
	if err != nil {
		st.DrillsErr = err
		return st
	}
	st.NewestRun = drills[st.Newest]
	for _, dr := range drills {
		if st.LastDrill == nil || dr.StartedAt.After(st.LastDrill.StartedAt) {
			st.LastDrill = dr
		}
	}
	return st
}

// Schedules are the cron schedules the daemon runs; a nil one is off.
type Schedules struct {
	Backup cron.Schedule
	Verify cron.Schedule
}

// staleAt returns when a run at t becomes stale: after th.StaleRuns more scheduled runs.
func staleAt(s cron.Schedule, t time.Time, runs int) time.Time {
	for range max(runs, 1) {
		t = s.Next(t)
	}
	return t
}

// Interval is the time between the next two runs of s after now.
func Interval(s cron.Schedule, now time.Time) time.Duration {
	n := s.Next(now)
	return s.Next(n).Sub(n)
}

// backupFindings judges one destination: the probe, the age of the newest backup and its verification.
func backupFindings(st DestinationState, sch Schedules, th Thresholds, now time.Time) []Finding {
	subj := "destination " + st.URL
	if st.OpenErr != nil {
		return []Finding{finding(Critical, subj, actionStore, "cannot open: %v", st.OpenErr)}
	}
	var out []Finding
	switch {
	case st.ProbeErr != nil:
		out = append(out, finding(Critical, subj, actionStore, "write-read-delete probe failed: %v", st.ProbeErr))
	case st.ProbeNoDelete:
		out = append(out, finding(OK, subj, "", "write-read probe passed; no delete permission, as "+
			"retention.enabled: false allows (the probe object stays under <cluster_name>/probe/, a few bytes)"))
	default:
		out = append(out, finding(OK, subj, "", "write-read-delete probe passed"))
	}
	if st.LockErr != nil {
		out = append(out, finding(Critical, subj, "create a bucket with object lock enabled (versioning comes with it) "+
			"and point the destination at it, or remove object_lock", "object_lock is set, but %v", st.LockErr))
	}
	if st.ScanErr != nil {
		return append(out, finding(Critical, subj, actionStore, "cannot list backups: %v", st.ScanErr))
	}
	if len(st.Damaged) > 0 {
		out = append(out, damagedFinding(st))
	}
	if st.Backups == 0 {
		return append(out, finding(Critical, "backups at "+st.URL, "take one now with etcd-backupd run-once and "+
			"read its error if it fails; check that the daemon runs (systemctl status etcd-backupd)",
			"no committed backup: this cluster cannot be restored from here"))
	}
	out = append(out, ageFinding(st, sch, th, now))
	return append(out, verifyFinding(st, sch, th, now))
}

func damagedFinding(st DestinationState) Finding {
	ids := make([]string, len(st.Damaged))
	for i, d := range st.Damaged {
		ids[i] = d.ID
	}
	return finding(Warn, "backups at "+st.URL, "etcd-backupd list shows why; restore from another backup, and find who edited or "+
		"overwrote the manifest (object versions, access logs)",
		"%d damaged manifest(s), those backups cannot be restored: %s (%v)", len(ids), strings.Join(ids, ", "),
		st.Damaged[0].Err)
}

const actionStore = "check the destination URL, its credentials (the service's environment) and permissions, " +
	"then run the check again"

func ageFinding(st DestinationState, sch Schedules, th Thresholds, now time.Time) Finding {
	subj := "backups at " + st.URL
	age := now.Sub(st.NewestAt).Truncate(time.Second)
	if sch.Backup == nil {
		return finding(OK, subj, "", "%d committed; the newest, %s, is %s old", st.Backups, st.Newest, span(age))
	}
	every := Interval(sch.Backup, now)
	if now.After(staleAt(sch.Backup, st.NewestAt, th.StaleRuns)) {
		return finding(Warn, subj, "read the daemon's logs (journalctl -u etcd-backupd) and "+
			`etcd_backupd_backups_total{result="failure"}; run etcd-backupd run-once to see the error`,
			"stale: the newest, %s, is %s old, and the schedule (every %s) should have taken %d since",
			st.Newest, span(age), span(every), th.StaleRuns)
	}
	return finding(OK, subj, "", "%d committed; the newest, %s, is %s old (schedule: every %s)",
		st.Backups, st.Newest, span(age), span(every))
}
