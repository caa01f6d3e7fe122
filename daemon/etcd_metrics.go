package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// etcdMetrics are what etcd cannot export about itself: how the cluster looks from here.
type etcdMetrics struct {
	members    prometheus.Gauge
	hasLeader  prometheus.Gauge
	alarm      *prometheus.GaugeVec
	dbSize     *prometheus.GaugeVec
	quota      prometheus.Gauge
	certExpiry *prometheus.GaugeVec
}

func newEtcdMetrics(f factory) *etcdMetrics {
	return &etcdMetrics{
		members:    f.gauge("etcd_members", "Members in the etcd member list."),
		hasLeader:  f.gauge("etcd_has_leader", "1 when exactly one etcd member leads."),
		alarm:      f.gauges("etcd_alarm", "Members with an active alarm, by type.", "type"),
		dbSize:     f.gauges("etcd_db_size_bytes", "Database size of each member.", "member"),
		quota:      f.gauge("etcd_quota_bytes", "The backend quota."),
		certExpiry: f.gauges("cert_expiry_timestamp_seconds", "Unix time when each certificate expires.", "cert"),
	}
}

func (e *etcdMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{e.members, e.hasLeader, e.alarm, e.dbSize, e.quota, e.certExpiry}
}

// SetEtcd publishes one status poll.
func (m *Metrics) SetEtcd(g cluster.Gauges) {
	e := m.etcd
	e.members.Set(float64(g.Members))
	e.hasLeader.Set(b2f(g.HasLeader))
	for t, n := range g.Alarms {
		e.alarm.WithLabelValues(t).Set(float64(n))
	}
	e.dbSize.Reset()
	for member, n := range g.DBSize {
		e.dbSize.WithLabelValues(member).Set(float64(n))
	}
	e.quota.Set(float64(g.Quota))
	for cert, t := range g.CertExpiry {
		e.certExpiry.WithLabelValues(cert).Set(float64(t.Unix()))
	}
}

// poll refreshes the etcd gauges every interval until ctx ends.
func poll(ctx context.Context, interval time.Duration, m *Metrics, f func(context.Context) cluster.Gauges) {
	for {
		pctx, cancel := context.WithTimeout(ctx, interval)
		m.SetEtcd(f(pctx))
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
