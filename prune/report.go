package prune

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/retention"
)

// Kinds of swept objects.
const (
	KindOrphan  = "orphan"  // data object without a manifest
	KindDrill   = "drill"   // drill record of a backup that is gone
	KindPending = "pending" // unfinished write: file-store temp file, S3 incomplete multipart upload
	KindSpool   = "spool"   // spool file left by a crash
)

// Result is what a prune did at every destination and in the spool.
type Result struct {
	Destinations []*Report `json:"destinations"`
	Spool        []Swept   `json:"spool"`
	// SpoolWarning says why the spool was not swept, e.g. a backup holds its lock.
	SpoolWarning string `json:"spool_warning,omitempty"`
}

// Deleted is the number of backups deleted at every destination.
func (r *Result) Deleted() int {
	if r == nil {
		return 0
	}
	n := 0
	for _, d := range r.Destinations {
		n += d.Deleted
	}
	return n
}

// Report is what a prune did at one destination.
type Report struct {
	Destination  string  `json:"destination"` // redacted URL
	Policy       string  `json:"policy"`
	DryRun       bool    `json:"dry_run"`
	GraceSeconds float64 `json:"grace_seconds"`
	Backups      []Row   `json:"backups"` // newest first
	Swept        []Swept `json:"swept"`
	Deleted      int     `json:"deleted"` // backups deleted
	Error        string  `json:"error,omitempty"`
}

// Row is the decision on one committed backup.
type Row struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Keep    bool      `json:"keep"`
	Reasons []string  `json:"reasons"`
	Deleted bool      `json:"deleted"`
	// LockedUntil is set on a backup retention removes but the object lock still retains: it is
	// left until then.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Swept is one object or file the sweeper found.
type Swept struct {
	Kind    string    `json:"kind"`
	Key     string    `json:"key"` // object key, or file path for the spool
	ModTime time.Time `json:"mod_time"`
	Deleted bool      `json:"deleted"`
	// LockedUntil is set on a journal segment the object lock still retains: it is left.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

func rows(ds []retention.Decision) []Row {
	out := make([]Row, len(ds))
	for i, d := range ds {
		out[i] = Row{ID: d.Backup.ID, Time: d.Backup.Time, Keep: d.Keep, Reasons: d.Reasons}
	}
	return out
}

// Removed returns the rows planned for removal.
func (r *Report) Removed() []Row {
	var out []Row
	for _, row := range r.Backups {
		if !row.Keep {
			out = append(out, row)
		}
	}
	return out
}
