package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kinds of events.
const (
	KindBackupFailed = "backup_failed"
	KindDrillFailed  = "drill_failed"
	KindRecovered    = "recovered"
	// Maintenance the daemon runs on its own (NOSPACE remediation): when it starts, ends, fails.
	KindMaintenanceStarted = "maintenance_started"
	KindMaintenanceDone    = "maintenance_done"
	KindMaintenanceFailed  = "maintenance_failed"
	// The journal's chain broke: a full backup starts a new one.
	KindJournalGap = "journal_gap"
)

// Formats of the request body.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// maxErrorLen bounds the error text sent, so that a huge error cannot make the body too large.
const maxErrorLen = 2000

// Event is what happened. Kind and Cluster are required.
type Event struct {
	Kind     string    // one of the Kind constants
	Cluster  string    // cluster_name
	Job      string    // optional: "backup", "drill" or "nospace", the job concerned
	BackupID string    // optional: the backup concerned (the drilled one, or the new one on recovery)
	Error    string    // the failure; empty for KindRecovered
	Time     time.Time // when it happened; zero means now
}

// payload is the body of the json format.
type payload struct {
	Kind     string `json:"kind"`
	Cluster  string `json:"cluster"`
	Job      string `json:"job,omitempty"`
	BackupID string `json:"backup_id,omitempty"`
	Error    string `json:"error,omitempty"`
	Time     string `json:"time"`
	Text     string `json:"text"`
}

func (e Event) check() error {
	switch e.Kind {
	case KindBackupFailed, KindDrillFailed, KindRecovered:
	default:
		return fmt.Errorf("event kind %q: use %s, %s or %s", e.Kind, KindBackupFailed, KindDrillFailed, KindRecovered)
	}
	if e.Cluster == "" {
		return fmt.Errorf("event %s: no cluster", e.Kind)
	}
	return nil
}

// body encodes e in format.
func (e Event) body(format string) ([]byte, error) {
	e.Error = truncate(e.Error, maxErrorLen)
	if format == FormatSlack {
		return json.Marshal(struct {
			Text string `json:"text"`
		}{slackEscape(e.text())})
	}
	return json.Marshal(payload{
		Kind: e.Kind, Cluster: e.Cluster, Job: e.Job, BackupID: e.BackupID, Error: e.Error,
		Time: e.Time.UTC().Format(time.RFC3339), Text: e.text(),
	})
}

// text is the one-line human summary.
func (e Event) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "etcd-backupd %s: ", e.Cluster)
	job := e.Job
	switch e.Kind {
	case KindBackupFailed:
		b.WriteString("backup failed")
	case KindDrillFailed:
		b.WriteString("restore drill failed")
	case KindRecovered:
		if job == "" {
			job = "jobs"
		}
		b.WriteString(job + " recovered")
	case KindMaintenanceStarted:
		b.WriteString(job + " maintenance started")
	case KindMaintenanceDone:
		b.WriteString(job + " maintenance done")
	case KindMaintenanceFailed:
		b.WriteString(job + " maintenance failed")
	case KindJournalGap:
		b.WriteString("journal chain broken; a full backup starts a new one")
	}
	if e.BackupID != "" {
		fmt.Fprintf(&b, " (backup %s)", e.BackupID)
	}
	fmt.Fprintf(&b, " at %s", e.Time.UTC().Format(time.RFC3339))
	if e.Error != "" {
		b.WriteString(": " + e.Error)
	}
	return b.String()
}

// slackEscape escapes the three characters Slack's mrkdwn gives a meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
