package retention

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Backup is one committed backup as retention sees it.
type Backup struct {
	ID       string
	Time     time.Time
	Verified bool // its last drill or verification succeeded
}

// Decision says whether a backup is kept and why. Reasons names every rule
// that keeps it, in the order last, hourly, daily, weekly, monthly, within,
// newest, newest verified; a removed backup has the one reason ReasonNoRule.
type Decision struct {
	Backup  Backup
	Keep    bool
	Reasons []string
}

// Reasons given beside the rule-based ones.
const (
	ReasonNewest         = "newest"
	ReasonNewestVerified = "newest verified"
	ReasonNoRule         = "no rule keeps it"
	ReasonEmptyPolicy    = "empty policy keeps all"
	ReasonInvalidPolicy  = "invalid policy keeps all"
)

// Apply decides for every backup. The result is sorted newest first (ties by
// ID, descending). Input order does not matter, and a backup listed more than
// once by ID appears once. now only caps the point keep_within is measured
// from (see the package doc). A policy that does not validate keeps all.
func Apply(backups []Backup, p Policy, now time.Time) []Decision {
	list := dedupe(backups)
	slices.SortFunc(list, newestFirst)
	ds := make([]Decision, len(list))
	for i, b := range list {
		ds[i].Backup = b
	}
	if len(ds) == 0 {
		return ds
	}
	if err := p.Validate(); err != nil {
		reason := ReasonInvalidPolicy
		if errors.Is(err, ErrEmptyPolicy) {
			reason = ReasonEmptyPolicy
		}
		for i := range ds {
			ds[i].Keep, ds[i].Reasons = true, []string{reason}
		}
		return ds
	}
	keepLast(ds, p.KeepLast)
	keepPeriods(ds, p)
	keepWithin(ds, p.KeepWithin, anchor(ds, now))
	keepRails(ds)
	for i := range ds {
		ds[i].Keep = len(ds[i].Reasons) > 0
		if !ds[i].Keep {
			ds[i].Reasons = []string{ReasonNoRule}
		}
	}
	return ds
}

// Split returns the kept and the removed backups, in the order of ds.
func Split(ds []Decision) (keep, remove []Backup) {
	for _, d := range ds {
		if d.Keep {
			keep = append(keep, d.Backup)
		} else {
			remove = append(remove, d.Backup)
		}
	}
	return keep, remove
}

// dedupe keeps one backup per ID: the newest, and a verified one on a tie.
func dedupe(backups []Backup) []Backup {
	index := make(map[string]int, len(backups))
	list := make([]Backup, 0, len(backups))
	for _, b := range backups {
		i, ok := index[b.ID]
		if !ok {
			index[b.ID] = len(list)
			list = append(list, b)
			continue
		}
		c := b.Time.Compare(list[i].Time)
		if c > 0 || (c == 0 && b.Verified) {
			list[i] = b
		}
	}
	return list
}

func newestFirst(a, b Backup) int {
	if c := b.Time.Compare(a.Time); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

func keepLast(ds []Decision, n int) {
	if n <= 0 {
		return
	}
	reason := "last " + strconv.Itoa(n)
	for i := 0; i < n && i < len(ds); i++ {
		ds[i].Reasons = append(ds[i].Reasons, reason)
	}
}

// anchor is the time keep_within is measured from: the newest backup not
// dated after now, or the newest backup when now is zero or all are later.
func anchor(ds []Decision, now time.Time) time.Time {
	if !now.IsZero() {
		for _, d := range ds {
			if !d.Backup.Time.After(now) {
				return d.Backup.Time
			}
		}
	}
	return ds[0].Backup.Time
}

// keepWithin keeps the backups younger than d at the anchor. ds is sorted
// newest first, so ages only grow along it.
func keepWithin(ds []Decision, d time.Duration, at time.Time) {
	if d <= 0 {
		return
	}
	reason := "within " + formatDuration(d)
	for i := range ds {
		if at.Sub(ds[i].Backup.Time) >= d {
			return
		}
		ds[i].Reasons = append(ds[i].Reasons, reason)
	}
}

func keepRails(ds []Decision) {
	ds[0].Reasons = append(ds[0].Reasons, ReasonNewest)
	for i := range ds {
		if ds[i].Backup.Verified {
			ds[i].Reasons = append(ds[i].Reasons, ReasonNewestVerified)
			return
		}
	}
}
