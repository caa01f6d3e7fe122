package daemon

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-backupd/etcd-backupd/journal"
)

// journalMetrics are continuous backup's: what is committed, how far behind, and the gaps.
type journalMetrics struct {
	lastRevision prometheus.Gauge
	lastCommit   prometheus.Gauge
	lag          prometheus.Gauge
	recording    prometheus.Gauge
	segments     *prometheus.CounterVec
	events       prometheus.Counter
	bytes        prometheus.Counter
	gaps         prometheus.Counter
	throttled    prometheus.Counter
}

func newJournalMetrics(f factory) *journalMetrics {
	m := &journalMetrics{
		lastRevision: f.gauge("journal_last_revision", "The last revision committed to the journal at every destination."),
		lastCommit:   f.gauge("journal_last_commit_timestamp_seconds", "Unix time of the last segment committed at every destination."),
		lag: f.gauge("journal_lag_seconds",
			"Age of the oldest event received but not yet committed at every destination; 0 when none waits."),
		recording: f.gauge("journal_recording", "1 while this daemon records the journal."),
		segments:  f.counters("journal_segments_total", "Journal segments by result (success, failure).", "result"),
		events: prometheus.NewCounter(prometheus.CounterOpts(f.opts("journal_events_total",
			"Events committed to the journal."))),
		bytes: prometheus.NewCounter(prometheus.CounterOpts(f.opts("journal_bytes_total",
			"Stored bytes of the journal segments committed, per destination summed once."))),
		gaps: prometheus.NewCounter(prometheus.CounterOpts(f.opts("journal_gaps_total",
			"Times the journal's chain broke (compacted away, or a segment not committed): a full backup starts a new chain."))),
		throttled: prometheus.NewCounter(prometheus.CounterOpts(f.opts("journal_throttled_total",
			"Times storage was slower than etcd: the watch paused until a segment was uploaded."))),
	}
	m.segments.WithLabelValues("success")
	m.segments.WithLabelValues("failure")
	return m
}

func (jm *journalMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{jm.lastRevision, jm.lastCommit, jm.lag, jm.recording, jm.segments, jm.events,
		jm.bytes, jm.gaps, jm.throttled}
}

// Committed is journal.Observer's.
func (jm *journalMetrics) Committed(m *journal.Manifest) {
	jm.segments.WithLabelValues("success").Inc()
	jm.events.Add(float64(m.Events))
	jm.bytes.Add(float64(m.Object.Size))
	jm.lastRevision.Set(float64(m.LastRevision))
	jm.lastCommit.SetToCurrentTime()
}

// Throttled is journal.Observer's.
func (jm *journalMetrics) Throttled() { jm.throttled.Inc() }
