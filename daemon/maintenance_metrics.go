package daemon

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-backupd/etcd-backupd/maintain"
)

// maintenanceMetrics are the day-2 maintenance runs of the elected daemon.
type maintenanceMetrics struct {
	runs        *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	reclaimed   *prometheus.GaugeVec
	unavailable *prometheus.GaugeVec
}

func newMaintenanceMetrics(f factory) *maintenanceMetrics {
	m := &maintenanceMetrics{
		runs: f.counters("maintenance_total",
			"Maintenance runs by kind (defragment, nospace) and result (success, refused, not_won, failure).", "kind", "result"),
		lastSuccess: f.gauges("maintenance_last_success_timestamp_seconds", "Unix time of the last successful maintenance run.", "kind"),
		reclaimed: f.gauges("maintenance_reclaimed_bytes",
			"Bytes reclaimed on each member by the last run that defragmented it.", "member"),
		unavailable: f.gauges("maintenance_unavailable_seconds",
			"How long each member was unavailable during the last maintenance run.", "member"),
	}
	// The series the alerts read exist from the start, so that increase() sees the first one.
	for _, k := range []string{"defragment", "nospace"} {
		for _, r := range []string{"success", "refused", "failure"} {
			m.runs.WithLabelValues(k, r)
		}
	}
	m.runs.WithLabelValues("nospace", "not_won")
	return m
}

func (mm *maintenanceMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{mm.runs, mm.lastSuccess, mm.reclaimed, mm.unavailable}
}

// RecordMaintenance publishes one maintenance run of kind ("defragment" or "nospace") that returned
// rep (nil when none) and err. A dry run, and a NOSPACE run that found no alarm, changed nothing:
// they record nothing.
func (m *Metrics) RecordMaintenance(kind string, rep *maintain.Report, err error) {
	if errors.Is(err, maintain.ErrNoAlarm) || (rep != nil && rep.DryRun) {
		return
	}
	mm := m.maintenance
	mm.runs.WithLabelValues(kind, maintenanceResult(err)).Inc()
	if err == nil {
		mm.lastSuccess.WithLabelValues(kind).SetToCurrentTime()
	}
	if rep == nil {
		return
	}
	for _, mr := range rep.Members {
		member := mr.Name
		if member == "" {
			member = mr.Endpoint
		}
		// A member left alone keeps what its last defragmentation reclaimed.
		if mr.Defragmented {
			mm.reclaimed.WithLabelValues(member).Set(float64(mr.ReclaimedBytes))
		}
		mm.unavailable.WithLabelValues(member).Set(mr.UnavailableSeconds)
	}
}

func maintenanceResult(err error) string {
	var refused *maintain.RefusedError
	var notWon *maintain.NoSpaceError
	switch {
	case err == nil:
		return "success"
	case errors.As(err, &refused):
		return "refused"
	case errors.As(err, &notWon):
		return "not_won"
	default:
		return "failure"
	}
}
