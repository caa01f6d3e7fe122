package check

import (
	"fmt"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// Report is the whole result of a check, for people (a table and a list) and for scripts (JSON).
type Report struct {
	Cluster      string           `json:"cluster"`
	CheckedAt    time.Time        `json:"checked_at"`
	Result       Severity         `json:"result"` // the worst finding
	Members      []MemberRow      `json:"members"`
	Alarms       []AlarmRow       `json:"alarms"`
	Certificates []CertRow        `json:"certificates"`
	Destinations []DestinationRow `json:"destinations"`
	Findings     []Finding        `json:"findings"` // the worst first
	Runbook      []RunbookStep    `json:"runbook,omitempty"`
}

// Failed reports whether the check fails: on a critical finding, and under strict also on a warning.
func (r *Report) Failed(strict bool) bool {
	return r.Result == Critical || (strict && r.Result == Warn)
}

// MemberRow is one member in the report.
type MemberRow struct {
	Name         string   `json:"name"`
	Endpoint     string   `json:"endpoint"`
	ID           string   `json:"id"` // hex, as etcdctl prints it
	Learner      bool     `json:"learner"`
	Leader       bool     `json:"leader"`
	Answers      bool     `json:"answers"`
	RaftTerm     uint64   `json:"raft_term"`
	RaftIndex    uint64   `json:"raft_index"`
	AppliedIndex uint64   `json:"raft_applied_index"`
	DBSize       int64    `json:"db_size"`
	DBSizeInUse  int64    `json:"db_size_in_use"`
	Quota        int64    `json:"quota"`
	QuotaPercent float64  `json:"quota_percent"`
	Version      string   `json:"version"`
	ReadSeconds  float64  `json:"read_seconds"`
	Errors       []string `json:"errors,omitempty"` // why it does not answer, and what it reports
}

// AlarmRow is one active alarm.
type AlarmRow struct {
	Type     string `json:"type"`
	MemberID string `json:"member_id"`
	Member   string `json:"member"`
}

// CertRow is one certificate.
type CertRow struct {
	Label    string     `json:"label"`
	Source   string     `json:"source"`
	Subject  string     `json:"subject,omitempty"`
	NotAfter *time.Time `json:"not_after,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// ProbeNoDelete is a destination row's probe where the probe wrote and read back, and this node,
// which deletes nothing there (retention.enabled: false), may not delete.
const ProbeNoDelete = "ok, no delete permission"

// DestinationRow is one destination.
type DestinationRow struct {
	URL       string     `json:"url"`
	Probe     string     `json:"probe"` // ok, ProbeNoDelete, or the error
	Backups   int        `json:"backups"`
	Newest    string     `json:"newest,omitempty"`
	NewestAt  *time.Time `json:"newest_at,omitempty"`
	LastDrill string     `json:"last_drill,omitempty"` // "<ok|FAILED> <mode> <backup ID> <time>"
}

func memberRow(m cluster.MemberHealth) MemberRow {
	r := MemberRow{Name: m.Name, Endpoint: m.Endpoint, ID: fmt.Sprintf("%x", m.ID), Learner: m.IsLearner,
		Leader: m.IsLeader(), Answers: m.Answers(), ReadSeconds: m.ReadTook.Seconds()}
	if e := errText(m); e != "" {
		r.Errors = append(r.Errors, e)
	}
	if st := m.Status; st != nil {
		r.RaftTerm, r.RaftIndex, r.AppliedIndex = st.RaftTerm, st.RaftIndex, st.RaftAppliedIndex
		r.DBSize, r.DBSizeInUse, r.Quota, r.Version = st.DbSize, st.DbSizeInUse, quotaOf(m), st.Version
		r.QuotaPercent = float64(int(1000*float64(st.DbSize)/float64(r.Quota))) / 10
		r.Learner = r.Learner || st.IsLearner
		r.Errors = append(r.Errors, st.Errors...)
	}
	return r
}

func certRow(c cluster.CertExpiry) CertRow {
	r := CertRow{Label: c.Label, Source: c.Source, Subject: c.Subject}
	if !c.NotAfter.IsZero() {
		t := c.NotAfter.UTC()
		r.NotAfter = &t
	}
	if c.Err != nil {
		r.Error = c.Err.Error()
	}
	return r
}

func destinationRow(st DestinationState) DestinationRow {
	r := DestinationRow{URL: st.URL, Probe: "ok", Backups: st.Backups, Newest: st.Newest}
	if err := firstErr(st.OpenErr, st.ProbeErr); err != nil {
		r.Probe = err.Error()
	} else if st.ProbeNoDelete {
		r.Probe = ProbeNoDelete
	}
	if !st.NewestAt.IsZero() {
		t := st.NewestAt.UTC()
		r.NewestAt = &t
	}
	if d := st.LastDrill; d != nil {
		res := "ok"
		if !d.OK {
			res = "FAILED"
		}
		r.LastDrill = fmt.Sprintf("%s %s %s %s", res, d.Mode, d.BackupID, day(d))
	}
	return r
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
