package check

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Severity ranks a finding.
type Severity int

// Severities, from good to bad.
const (
	OK Severity = iota
	Warn
	Critical
)

var severityNames = [...]string{OK: "ok", Warn: "warn", Critical: "critical"}

func (s Severity) String() string {
	if s < OK || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes ok, warn or critical.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads ok, warn or critical.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if n == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("severity %q: want ok, warn or critical", b)
}

// Finding is one result of the check.
type Finding struct {
	Severity Severity `json:"severity"`
	Subject  string   `json:"subject"`          // what it is about: a member, an alarm, a certificate, a destination
	Message  string   `json:"message"`          // what was seen
	Action   string   `json:"action,omitempty"` // what to do; empty when nothing is to be done
}

func finding(s Severity, subject, action, format string, args ...any) Finding {
	return Finding{Severity: s, Subject: subject, Message: fmt.Sprintf(format, args...), Action: action}
}

// Worst returns the highest severity among fs; OK for none.
func Worst(fs []Finding) Severity {
	w := OK
	for _, f := range fs {
		w = max(w, f.Severity)
	}
	return w
}

// sortFindings puts the worst first and keeps the order of discovery among equals.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
}

// Count returns how many findings have severity s.
func Count(fs []Finding, s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// span writes a duration for people: "30 days", "15m", "1h30m".
func span(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
