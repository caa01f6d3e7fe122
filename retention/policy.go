package retention

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Policy holds the keep_* rules of the retention config section.
type Policy struct {
	KeepLast    int
	KeepHourly  int
	KeepDaily   int
	KeepWeekly  int
	KeepMonthly int
	KeepWithin  time.Duration
	// Location is the zone in which hours, days, weeks and months are
	// computed; nil means UTC.
	Location *time.Location
}

// ErrEmptyPolicy is returned by Validate when no rule keeps anything.
var ErrEmptyPolicy = errors.New("retention: policy keeps nothing; set at least one keep_* rule")

// FieldError reports an invalid rule, named by its config key.
type FieldError struct {
	Field  string // config key, e.g. "keep_daily"
	Reason string // e.g. "must be >= 0"
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// DefaultPolicy keeps a week of backups and one a day for 30 days.
func DefaultPolicy() Policy {
	return Policy{KeepWithin: 168 * time.Hour, KeepDaily: 30}
}

// Validate checks that no rule is negative and that some rule keeps backups.
// A negative rule gives a *FieldError; an all-zero policy gives ErrEmptyPolicy.
func (p Policy) Validate() error {
	fields := []struct {
		key      string
		negative bool
	}{
		{"keep_last", p.KeepLast < 0},
		{"keep_hourly", p.KeepHourly < 0},
		{"keep_daily", p.KeepDaily < 0},
		{"keep_weekly", p.KeepWeekly < 0},
		{"keep_monthly", p.KeepMonthly < 0},
		{"keep_within", p.KeepWithin < 0},
	}
	for _, f := range fields {
		if f.negative {
			return &FieldError{Field: f.key, Reason: "must be >= 0"}
		}
	}
	if p.Empty() {
		return ErrEmptyPolicy
	}
	return nil
}

// Empty reports whether every keep_* rule is zero.
func (p Policy) Empty() bool {
	return p.KeepLast == 0 && p.KeepHourly == 0 && p.KeepDaily == 0 &&
		p.KeepWeekly == 0 && p.KeepMonthly == 0 && p.KeepWithin == 0
}

// String describes the policy for logs and command output,
// e.g. "keep_last=4 keep_daily=7 keep_within=168h location=UTC".
func (p Policy) String() string {
	var parts []string
	for _, r := range []struct {
		key string
		n   int
	}{
		{"keep_last", p.KeepLast},
		{"keep_hourly", p.KeepHourly},
		{"keep_daily", p.KeepDaily},
		{"keep_weekly", p.KeepWeekly},
		{"keep_monthly", p.KeepMonthly},
	} {
		if r.n != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", r.key, r.n))
		}
	}
	if p.KeepWithin != 0 {
		parts = append(parts, "keep_within="+formatDuration(p.KeepWithin))
	}
	parts = append(parts, "location="+p.location().String())
	return strings.Join(parts, " ")
}

func (p Policy) location() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// formatDuration prints d without trailing zero units: 168h, 45m, 1h30m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
