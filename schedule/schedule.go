// Package schedule parses the cron specs of the config: 5 fields or a descriptor, in a time zone.
package schedule

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata"
	"unicode" // zones work in images without a zoneinfo database

	"github.com/robfig/cron/v3"
)

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a cron spec: 5 fields, a descriptor (@hourly, @daily, @every 15m ...), each
// optionally after a CRON_TZ=Zone or TZ=Zone prefix. Without a prefix the spec runs in UTC. It
// returns the schedule and its zone; a spec that never fires is an error.
func Parse(spec string) (cron.Schedule, *time.Location, error) {
	if strings.ContainsFunc(spec, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		return nil, nil, fmt.Errorf("%q: control characters are not allowed", spec)
	}
	loc, rest, err := Zone(strings.TrimSpace(spec))
	if err != nil {
		return nil, nil, err
	}
	if every, ok := strings.CutPrefix(rest, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(every))
		if err != nil || d < time.Second {
			return nil, nil, fmt.Errorf("%q: @every needs a duration of at least 1s, such as 15m", spec)
		}
	}
	s, err := cronParser.Parse(rest)
	if err != nil {
		return nil, nil, fmt.Errorf("%q: %w", spec, err)
	}
	if ss, ok := s.(*cron.SpecSchedule); ok {
		ss.Location = loc
		if ss.Next(time.Now()).IsZero() {
			return nil, nil, fmt.Errorf("%q never fires", spec)
		}
	}
	return s, loc, nil
}

// Zone takes the CRON_TZ= or TZ= prefix off spec.
func Zone(spec string) (*time.Location, string, error) {
	name, ok := strings.CutPrefix(spec, "CRON_TZ=")
	if !ok {
		name, ok = strings.CutPrefix(spec, "TZ=")
	}
	if !ok {
		if spec == "" {
			return nil, "", fmt.Errorf("empty schedule")
		}
		return time.UTC, spec, nil
	}
	rest := ""
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name, rest = name[:i], strings.TrimSpace(name[i:])
	}
	if rest == "" {
		return nil, "", fmt.Errorf("%q: no schedule after the time zone", spec)
	}
	if strings.HasPrefix(rest, "TZ=") || strings.HasPrefix(rest, "CRON_TZ=") {
		return nil, "", fmt.Errorf("%q: time zone given twice", spec)
	}
	if name == "" || name == "Local" {
		return nil, "", fmt.Errorf("%q: name a time zone, such as Europe/Paris or UTC", spec)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, "", fmt.Errorf("%q: unknown time zone %q", spec, name)
	}
	return loc, rest, nil
}
