package maintain

import (
	"errors"
	"fmt"
	"time"
)

// Report is what a run did, or with DryRun would do. Sizes are bytes, durations seconds.
type Report struct {
	Kind              string         `json:"kind"` // "defragment" (Run) or "nospace" (RemediateNoSpace)
	DryRun            bool           `json:"dry_run"`
	StartedAt         time.Time      `json:"started_at"`
	DurationSeconds   float64        `json:"duration_seconds"`
	Refused           []string       `json:"refused,omitempty"` // the preconditions that failed
	BackupTaken       bool           `json:"backup_taken"`
	CompactedRevision int64          `json:"compacted_revision,omitempty"`
	LeaderMovedFrom   string         `json:"leader_moved_from,omitempty"`
	LeaderMovedTo     string         `json:"leader_moved_to,omitempty"`
	LeaderMovedAt     time.Time      `json:"leader_moved_at,omitzero"` // when MoveLeader was sent
	Members           []MemberReport `json:"members"`                  // in the order of the plan
	ReclaimedBytes    int64          `json:"reclaimed_bytes"`
	MaxUnavailable    float64        `json:"max_unavailable_seconds"`
	NoSpace           *NoSpaceReport `json:"nospace,omitempty"`
	Error             string         `json:"error,omitempty"`
}

// MemberReport is one member: the plan's decision and, once defragmented, what it gave.
type MemberReport struct {
	ID              string    `json:"id"` // hex, as etcdctl prints it
	Name            string    `json:"name"`
	Endpoint        string    `json:"endpoint"`
	WasLeader       bool      `json:"was_leader"` // led when the run started
	Planned         bool      `json:"planned"`
	Reason          string    `json:"reason"`
	Defragmented    bool      `json:"defragmented"`
	LedAtDefragment bool      `json:"led_at_defragment"` // from its status just before; false in a good run
	DBSizeBefore    int64     `json:"db_size_before"`
	InUseBefore     int64     `json:"in_use_before"`
	DBSizeAfter     int64     `json:"db_size_after,omitempty"`
	InUseAfter      int64     `json:"in_use_after,omitempty"`
	Quota           int64     `json:"quota"`
	ReclaimedBytes  int64     `json:"reclaimed_bytes"`
	DefragStartedAt time.Time `json:"defrag_started_at,omitzero"`
	// UnavailableSeconds runs from the defragmentation call to the member's first status answer after it.
	UnavailableSeconds float64 `json:"unavailable_seconds"`
	Error              string  `json:"error,omitempty"`
}

// NoSpaceReport is the NOSPACE part of RemediateNoSpace's report.
type NoSpaceReport struct {
	Alarmed         []string      `json:"alarmed"` // members (hex IDs) with the alarm at the start
	Disarmed        bool          `json:"disarmed"`
	LargestPrefixes []PrefixUsage `json:"largest_prefixes,omitempty"` // when space was not won back
}

func newReport(kind string, o Options) *Report {
	return &Report{Kind: kind, DryRun: o.DryRun, StartedAt: time.Now(), Members: []MemberReport{}}
}

// plan records the plan: the members in its order, with their decision and sizes.
func (r *Report) plan(steps []Step) {
	old := r.Members
	r.Members = make([]MemberReport, 0, len(steps))
	for _, s := range steps {
		mr := MemberReport{ID: fmt.Sprintf("%x", s.ID), Name: s.Name, Endpoint: s.Endpoint, WasLeader: s.Leader,
			Planned: s.Due, Reason: s.Reason, DBSizeBefore: s.DBSize, InUseBefore: s.InUse, Quota: s.Quota}
		for _, o := range old {
			if o.Endpoint == s.Endpoint {
				mr.WasLeader = o.WasLeader
			}
		}
		r.Members = append(r.Members, mr)
	}
}

func (r *Report) member(endpoint string) *MemberReport {
	for i := range r.Members {
		if r.Members[i].Endpoint == endpoint {
			return &r.Members[i]
		}
	}
	r.Members = append(r.Members, MemberReport{Endpoint: endpoint})
	return &r.Members[len(r.Members)-1]
}

// finish totals the report and records err, which it returns.
func (r *Report) finish(err error) error {
	r.DurationSeconds = time.Since(r.StartedAt).Seconds()
	r.ReclaimedBytes, r.MaxUnavailable = 0, 0
	for _, m := range r.Members {
		r.ReclaimedBytes += m.ReclaimedBytes
		r.MaxUnavailable = max(r.MaxUnavailable, m.UnavailableSeconds)
	}
	if err != nil {
		r.Error = err.Error()
		var ref *RefusedError
		if errors.As(err, &ref) {
			r.Refused = ref.Reasons
		}
	}
	return err
}
