package cluster

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Alarm types, as etcd names them.
const (
	AlarmNoSpace = "NOSPACE"
	AlarmCorrupt = "CORRUPT"
)

// Alarm is one active alarm on one member.
type Alarm struct {
	MemberID uint64
	Type     string // NOSPACE, CORRUPT
}

// alarms lists the cluster's active alarms. The list goes through raft, so it needs a quorum.
func (c *Client) alarms(ctx context.Context) ([]Alarm, error) {
	actx, cancel := c.timeout(ctx)
	defer cancel()
	resp, err := c.cli.AlarmList(actx)
	if err != nil {
		return nil, fmt.Errorf("alarm list from %v: %w", c.opts.Endpoints, err)
	}
	var out []Alarm
	for _, a := range resp.Alarms {
		out = append(out, Alarm{MemberID: a.MemberID, Type: a.Alarm.String()})
	}
	sortAlarms(out)
	return out, nil
}

// statusAlarmRE matches an alarm in a status response's errors ("memberID:123 alarm:NOSPACE"). The text
// format of protobuf messages varies its spacing, so spaces are optional.
var statusAlarmRE = regexp.MustCompile(`memberID:\s*(\d+)\s+alarm:\s*([A-Z]+)`)

// alarmsFromStatus collects the alarms members report in their status, for when the alarm list
// cannot be read (no quorum).
func alarmsFromStatus(members []MemberHealth) []Alarm {
	var errs []string
	for _, m := range members {
		if m.Status != nil {
			errs = append(errs, m.Status.Errors...)
		}
	}
	return statusAlarms(errs)
}

// statusAlarms parses the alarms out of status errors, each once, sorted.
func statusAlarms(errs []string) []Alarm {
	seen := map[Alarm]bool{}
	var out []Alarm
	for _, e := range errs {
		for _, sm := range statusAlarmRE.FindAllStringSubmatch(e, -1) {
			id, err := strconv.ParseUint(sm[1], 10, 64)
			if err != nil {
				continue
			}
			a := Alarm{MemberID: id, Type: sm[2]}
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sortAlarms(out)
	return out
}

// noSpaceOnlyRE matches a status error that is a NOSPACE alarm and nothing else.
var noSpaceOnlyRE = regexp.MustCompile(`^\s*memberID:\s*\d+\s+alarm:\s*NOSPACE\s*$`)

// statusProblems returns the errors a member reports in its status, less NOSPACE alarms: under
// NOSPACE a member still serves reads and snapshots, so that alarm alone does not make it unhealthy.
func statusProblems(st *clientv3.StatusResponse) []string {
	if st == nil {
		return nil
	}
	var out []string
	for _, e := range st.Errors {
		if !noSpaceOnlyRE.MatchString(e) {
			out = append(out, e)
		}
	}
	return out
}

func sortAlarms(a []Alarm) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Type != a[j].Type {
			return a[i].Type < a[j].Type
		}
		return a[i].MemberID < a[j].MemberID
	})
}
