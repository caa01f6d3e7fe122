package check

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/kit"
	"github.com/etcd-backupd/etcd-backupd/maintain"
)

// Options configure a check.
type Options struct {
	Cluster    string // cluster_name
	Access     Access // for the commands of the runbook
	ConfigPath string // the config file, for the command that runs the check again
	Schedules  Schedules
	Thresholds Thresholds
	ScratchDir string // verify.scratch_dir, where killed deep verifications leave plaintext
	// MaintainRule is maintenance.rule, so that check finds due what maintain would defragment;
	// the zero Rule is maintain.DefaultRule().
	MaintainRule maintain.Rule
	// NoSpaceRemediation is maintenance.nospace: remediate: the elected daemon recovers NOSPACE itself.
	NoSpaceRemediation bool
	// JournalMaxAge is journal.segment_max_age when the journal is enabled, 0 when it is not.
	JournalMaxAge time.Duration
	// Kit is what the backups' restore kit collects when kit.enabled; nil when it is off.
	Kit *kit.Options
}

// Run checks the cluster through c, with a linearizable read per member and a TLS handshake to read
// each server certificate, every destination in parallel, and the scratch dir for leftovers. now
// is the time findings are judged at.
func Run(ctx context.Context, c *cluster.Client, dests []Destination, o Options, now time.Time) *Report {
	states := make([]DestinationState, len(dests))
	var wg sync.WaitGroup
	for i, d := range dests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			states[i] = Inspect(ctx, d)
		}()
	}
	h := c.Health(ctx, cluster.HealthOptions{Read: true, ServerCerts: true})
	wg.Wait()
	r := Evaluate(h, states, o, now)
	r.add(leftoverFindings(o.ScratchDir)...)
	return r
}

// Evaluate turns what was gathered into the report.
func Evaluate(h *cluster.Health, dests []DestinationState, o Options, now time.Time) *Report {
	r := &Report{Cluster: o.Cluster, CheckedAt: now.UTC(), Members: []MemberRow{}, Alarms: []AlarmRow{},
		Certificates: []CertRow{}, Destinations: []DestinationRow{}}
	for _, m := range h.Members {
		r.Members = append(r.Members, memberRow(m))
	}
	sort.SliceStable(r.Members, func(i, j int) bool {
		a, b := r.Members[i], r.Members[j]
		return a.Name < b.Name || (a.Name == b.Name && a.Endpoint < b.Endpoint)
	})
	noSpace := false
	for _, a := range h.Alarms {
		r.Alarms = append(r.Alarms, AlarmRow{Type: a.Type, MemberID: fmt.Sprintf("%x", a.MemberID), Member: memberName(h, a.MemberID)})
		noSpace = noSpace || a.Type == cluster.AlarmNoSpace
	}
	for _, c := range h.Certs {
		r.Certificates = append(r.Certificates, certRow(c))
	}
	r.Findings = append(r.Findings, memberFindings(h)...)
	r.Findings = append(r.Findings, raftFindings(h, o.Thresholds)...)
	r.Findings = append(r.Findings, alarmFindings(h, o.NoSpaceRemediation)...)
	r.Findings = append(r.Findings, dbFindings(h, o, noSpace)...)
	r.Findings = append(r.Findings, certFindings(h, o.Thresholds, now)...)
	r.Findings = append(r.Findings, kitFindings(o, dests, now)...)
	for _, st := range dests {
		r.Destinations = append(r.Destinations, destinationRow(st))
		r.Findings = append(r.Findings, backupFindings(st, o.Schedules, o.Thresholds, now)...)
		r.Findings = append(r.Findings, journalFindings(st, h, o.JournalMaxAge, now)...)
	}
	sortFindings(r.Findings)
	r.Result = Worst(r.Findings)
	if noSpace {
		r.Runbook = NoSpaceRunbook(h, o.Access, o.ConfigPath)
	}
	return r
}
