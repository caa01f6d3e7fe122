package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/memlimit"
	"github.com/etcd-backupd/etcd-backupd/notify"
)

// JournalJob is continuous backup on the elected daemon: it records from where the journal ends
// (or from the newest backup), and when the chain breaks (the watch fell behind etcd's compaction,
// or a segment could not be committed everywhere) it counts a gap, takes a full backup at once and
// starts a new chain from it.
type JournalJob struct {
	etcd     *cluster.Client
	dests    *catalog.Set
	journals []*journal.Journal
	opts     journal.Options
	backup   *BackupJob
	metrics  *journalMetrics
	alerts   *alerter
	lg       *zap.Logger
	// retry is how long to wait after a failure before starting again.
	retry time.Duration
	// lastRecorded is the last revision committed (the uploader's goroutine writes it).
	lastRecorded atomic.Int64
}

func newJournalJob(c Config, d Deps, m *Metrics, a *alerter, b *BackupJob) *JournalJob {
	o := *c.Journal
	o.Logger = d.Logger.Named("journal")
	o.Observer = m.journal
	var js []*journal.Journal
	for _, cat := range d.Destinations.All() {
		js = append(js, journal.New(cat.Store, c.Cluster))
	}
	return &JournalJob{etcd: d.Etcd, dests: d.Destinations, journals: js, opts: o, backup: b, metrics: m.journal,
		alerts: a, lg: o.Logger, retry: 10 * time.Second}
}

// Run records until ctx ends (leadership lost or the daemon stopping).
func (j *JournalJob) Run(ctx context.Context) {
	defer memlimit.Hold(memlimit.None)()
	j.metrics.recording.Set(1)
	defer j.metrics.recording.Set(0)
	var fresh *journal.Start // set after a full backup taken to start a new chain
	failures := 0            // breaks and failures in a row: they back off, so that trouble is no storm of backups
	for ctx.Err() == nil {
		st, err := j.start(ctx, fresh)
		fresh = nil
		if err == nil {
			err = j.record(ctx, st)
		}
		if ctx.Err() != nil {
			return
		}
		if j.committedSince(st) {
			failures = 0
		}
		var gap *journal.GapError
		var up *journal.UploadError
		if errors.As(err, &gap) || errors.As(err, &up) {
			if st.Previous != "" || j.committedSince(st) {
				j.metrics.gaps.Inc()
				j.alerts.event(notify.KindJournalGap, "journal", err)
			}
			if errors.As(err, &up) {
				j.metrics.segments.WithLabelValues("failure").Inc()
			}
			j.lg.Error("journal chain broken; taking a full backup to start a new one", zap.Error(err))
			if !j.committedSince(st) { // a new chain that broke at once: the cause is still there
				failures++
			}
			if failures > 0 && !sleep(ctx, j.backoff(failures)) {
				return
			}
			fresh, err = j.newChain(ctx)
		}
		if err != nil {
			failures++
			d := j.backoff(failures)
			j.lg.Error("journal stopped; starting again", zap.Duration("in", d), zap.Error(err))
			sleep(ctx, d)
		}
	}
}

// maxBackoff bounds the wait between two tries after failures in a row.
const maxBackoff = 5 * time.Minute

// backoff is the wait after n failures in a row: retry, doubling, at most maxBackoff.
func (j *JournalJob) backoff(n int) time.Duration {
	d := j.retry
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// committedSince says whether this run committed a segment after st, so that a broken chain
// that had started counts as a gap even when it started from a backup.
func (j *JournalJob) committedSince(st journal.Start) bool {
	return j.lastRecorded.Load() >= st.Next
}

// start finds where to record from: after the newest segment or the newest backup, or after a
// backup taken now when there is neither.
func (j *JournalJob) start(ctx context.Context, fresh *journal.Start) (journal.Start, error) {
	if fresh != nil {
		return *fresh, nil
	}
	seg, serr := journal.Newest(ctx, j.journals)
	if serr != nil {
		j.lg.Warn("journal: a destination could not be listed", zap.Error(serr))
	}
	var base *journal.Base
	m, berr := j.dests.Newest(ctx)
	if m != nil {
		b, err := journal.BaseOf(m)
		if err != nil {
			return journal.Start{}, err
		}
		base = &b
	} else if berr != nil {
		j.lg.Warn("journal: the newest backup could not be read", zap.Error(berr))
	}
	if st, ok := journal.StartAfter(seg, base); ok {
		return st, nil
	}
	if serr != nil && berr != nil { // nothing known: a backup now would fail there too
		return journal.Start{}, fmt.Errorf("journal: the destinations could not be read: %w", errors.Join(serr, berr))
	}
	j.lg.Info("journal: no backup to start from; taking one")
	st, err := j.newChain(ctx)
	if err != nil {
		return journal.Start{}, err
	}
	return *st, nil
}

// newChain takes a full backup and returns the start of a chain from it.
func (j *JournalJob) newChain(ctx context.Context) (*journal.Start, error) {
	res, err := j.backup.Run(ctx)
	if res == nil || res.Manifest == nil {
		return nil, fmt.Errorf("journal: full backup for a new chain: %w", err)
	}
	if err != nil {
		j.lg.Warn("journal: the backup of the new chain did not commit everywhere", zap.Error(err))
	}
	b, err := journal.BaseOf(res.Manifest)
	if err != nil {
		return nil, err
	}
	return &journal.Start{Next: b.Rev + 1, Base: b.ID}, nil
}

// record runs a recorder from st, publishing its lag every second.
func (j *JournalJob) record(ctx context.Context, st journal.Start) error {
	o := j.opts
	o.Observer = &lastRecorded{journalMetrics: j.metrics, job: j}
	r, err := journal.NewRecorder(j.etcd.Etcd(), j.journals, o)
	if err != nil {
		return err
	}
	j.lg.Info("journal: recording", zap.Int64("from_revision", st.Next), zap.String("continues", st.Previous),
		zap.String("base", st.Base))
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				j.metrics.lag.Set(0)
				return
			case <-t.C:
				j.metrics.lag.Set(r.Lag().Seconds())
			}
		}
	}()
	return r.Run(ctx, st)
}

// lastRecorded remembers the last revision committed, besides the metrics.
type lastRecorded struct {
	*journalMetrics
	job *JournalJob
}

func (l *lastRecorded) Committed(m *journal.Manifest) {
	l.journalMetrics.Committed(m)
	l.job.lastRecorded.Store(m.LastRevision)
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
