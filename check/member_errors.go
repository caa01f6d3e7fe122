package check

import (
	"regexp"
	"slices"
	"strings"
)

// alarmRE matches an alarm in a member's status errors: every member lists every member's alarms.
var alarmRE = regexp.MustCompile(`^memberID:\s*\d+\s+(alarm:\s*\w+)$`)

// ErrorSummary is a member's errors on one line each, with every alarm type once ("alarm:NOSPACE")
// rather than once per member that reports it.
func ErrorSummary(errs []string) []string {
	var out []string
	for _, e := range errs {
		e = strings.Join(strings.Fields(e), " ")
		if m := alarmRE.FindStringSubmatch(e); m != nil {
			e = strings.ReplaceAll(m[1], " ", "")
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
