package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
)

// Metrics are the daemon's Prometheus metrics, all labelled with the cluster name.
type Metrics struct {
	Registry          *prometheus.Registry
	BackupLastSuccess prometheus.Gauge
	Backups           *prometheus.CounterVec
	BackupDuration    prometheus.Histogram
	BackupSize        *prometheus.GaugeVec
	VerifyLastSuccess prometheus.Gauge
	Verifies          *prometheus.CounterVec
	RetentionDeleted  prometheus.Counter
	Leader            prometheus.Gauge
	LeaderChanges     prometheus.Counter
	Skipped           *prometheus.CounterVec
	UploadTotal       *prometheus.CounterVec
	UploadBytes       *prometheus.CounterVec
	etcd              *etcdMetrics
	maintenance       *maintenanceMetrics
	journal           *journalMetrics
	cluster           string
}

// NewMetrics registers the metrics for cluster in a new registry.
func NewMetrics(cluster string) *Metrics {
	f := factory{prometheus.Labels{"cluster": cluster}}
	m := &Metrics{
		Registry:          prometheus.NewRegistry(),
		BackupLastSuccess: f.gauge("backup_last_success_timestamp_seconds", "Unix time of the last committed backup."),
		Backups:           f.counters("backups_total", "Backups by result (success, partial, failure).", "result"),
		BackupDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "etcd_backupd_backup_duration_seconds", Help: "Duration of backups.", ConstLabels: f.labels,
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 14),
		}),
		BackupSize:        f.gauges("backup_size_bytes", "Size of the last committed backup.", "kind"),
		VerifyLastSuccess: f.gauge("verify_last_success_timestamp_seconds", "Unix time of the last successful verification or drill."),
		Verifies:          f.counters("verify_total", "Verifications and drills by result.", "result"),
		RetentionDeleted:  prometheus.NewCounter(prometheus.CounterOpts{Name: "etcd_backupd_retention_deleted_total", Help: "Backups deleted by retention.", ConstLabels: f.labels}),
		Leader:            f.gauge("leader", "1 where this daemon runs the scheduled jobs."),
		LeaderChanges:     prometheus.NewCounter(prometheus.CounterOpts(f.opts("leader_changes_total", "Times this daemon gained or lost leadership."))),
		Skipped:           f.counters("schedule_skipped_total", "Ticks skipped because the job was still running.", "job"),
		UploadTotal:       f.counters("upload_total", "Uploads by destination and result.", "destination", "result"),
		UploadBytes:       f.counters("upload_bytes_total", "Bytes committed per destination.", "destination"),
	}
	m.cluster = cluster
	for _, r := range []string{"success", "partial", "failure"} {
		m.Backups.WithLabelValues(r)
	}
	m.Verifies.WithLabelValues("success")
	m.Verifies.WithLabelValues("failure")
	m.etcd = newEtcdMetrics(f)
	m.Registry.MustRegister(m.etcd.collectors()...)
	m.maintenance = newMaintenanceMetrics(f)
	m.Registry.MustRegister(m.maintenance.collectors()...)
	m.journal = newJournalMetrics(f)
	m.Registry.MustRegister(m.journal.collectors()...)
	info := f.gauges("build_info", "Build information.", "version")
	info.WithLabelValues(buildinfo.Get()).Set(1)
	m.Registry.MustRegister(m.BackupLastSuccess, m.Backups, m.BackupDuration, m.BackupSize, m.VerifyLastSuccess,
		m.Verifies, m.RetentionDeleted, m.Leader, m.LeaderChanges, m.Skipped, m.UploadTotal, m.UploadBytes, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

type factory struct{ labels prometheus.Labels }

func (f factory) opts(name, help string) prometheus.Opts {
	return prometheus.Opts{Name: "etcd_backupd_" + name, Help: help, ConstLabels: f.labels}
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts(f.opts(name, help)))
}

func (f factory) gauges(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts(f.opts(name, help)), labels)
}

func (f factory) counters(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts(f.opts(name, help)), labels)
}
