package maintain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// ErrNoAlarm is returned by RemediateNoSpace when no member has a NOSPACE alarm. Nothing changed.
var ErrNoAlarm = errors.New("no NOSPACE alarm: nothing to remediate")

// NoSpaceError says that compaction and defragmentation did not bring every member below
// DisarmBelow of its quota, so the alarm was left armed, and what the operator must do.
type NoSpaceError struct {
	Over     []string      // one line per member still too full
	Prefixes []PrefixUsage // the largest key prefixes, to find what grew
	Err      error         // why the prefixes could not be read, if they could not
}

func (e *NoSpaceError) Error() string {
	msg := "space not won back, NOSPACE left armed: " + strings.Join(e.Over, "; ") +
		"; raise --quota-backend-bytes on every member, or find and delete what grew"
	var ps []string
	for _, p := range e.Prefixes[:min(3, len(e.Prefixes))] {
		ps = append(ps, fmt.Sprintf("%s %s in %d keys", p.Prefix, ibytes(p.Bytes), p.Keys))
	}
	if len(ps) > 0 {
		msg += " (largest prefixes: " + strings.Join(ps, ", ") + ")"
	}
	if e.Err != nil {
		msg += fmt.Sprintf(" (largest prefixes unknown: %v)", e.Err)
	}
	return msg
}

// RemediateNoSpace runs the NOSPACE runbook: the preconditions (the NOSPACE alarm does not block
// them), BackupFirst (a snapshot is a read and works under NOSPACE), compaction to the current
// revision, defragmentation of every member in the safe order, a check that every member's db is
// below DisarmBelow of its quota, then the alarm disarmed. When space is not won back it returns
// a *NoSpaceError with the largest key prefixes and leaves the alarm armed. With no NOSPACE alarm
// it returns ErrNoAlarm. Options.All, Compact and KeepRevisions are ignored.
func RemediateNoSpace(ctx context.Context, c *cluster.Client, o Options) (*Report, error) {
	o.nospace, o.Compact, o.KeepRevisions = true, true, 0
	r := newRunner(c, o, "nospace")
	return r.rep, r.rep.finish(r.remediate(ctx))
}

func (r *runner) remediate(ctx context.Context) error {
	if err := r.hookGiven(); err != nil {
		return err
	}
	h, _, err := r.look(ctx)
	r.rep.NoSpace = &NoSpaceReport{Alarmed: alarmed(h)}
	if h.AlarmErr == nil && len(r.rep.NoSpace.Alarmed) == 0 {
		return ErrNoAlarm
	}
	if err != nil || r.o.DryRun {
		return err
	}
	if err := r.backup(ctx); err != nil {
		return err
	}
	if err := r.compact(ctx, 0); err != nil {
		return err
	}
	_, steps, err := r.look(ctx)
	if err != nil {
		return midRun(err, "after the compaction, the cluster is not ready")
	}
	if err := r.defragment(ctx, steps); err != nil {
		return err
	}
	if err := r.checkRoom(ctx); err != nil {
		return err
	}
	return r.disarm(ctx)
}

func alarmed(h *cluster.Health) []string {
	out := []string{}
	for _, a := range h.Alarms {
		if a.Type == cluster.AlarmNoSpace {
			out = append(out, fmt.Sprintf("%x", a.MemberID))
		}
	}
	return out
}

// checkRoom requires every member's db below DisarmBelow of its quota; otherwise disarming would
// only let the next writes raise the alarm again.
func (r *runner) checkRoom(ctx context.Context) error {
	h := r.c.Health(ctx, cluster.HealthOptions{})
	var over []string
	for _, m := range h.Members {
		if !m.Answers() {
			over = append(over, fmt.Sprintf("%s: no status (%v)", who(m), memberErr(m)))
			continue
		}
		d := Due(m.Status, r.o.Rule)
		if d.QuotaUsage >= r.o.DisarmBelow {
			over = append(over, fmt.Sprintf("%s: db %s is %.0f%% of its %s quota (want below %.0f%%)",
				who(m), ibytes(d.DBSize), 100*d.QuotaUsage, ibytes(d.Quota), 100*r.o.DisarmBelow))
		}
	}
	if len(over) == 0 {
		return nil
	}
	e := &NoSpaceError{Over: over}
	e.Prefixes, e.Err = LargestPrefixes(ctx, r.c, r.o.PrefixDepth, r.o.Prefixes)
	r.rep.NoSpace.LargestPrefixes = e.Prefixes
	return e
}

// disarm disarms NOSPACE and checks that no member has it any more.
func (r *runner) disarm(ctx context.Context) error {
	ids, err := r.c.DisarmNoSpace(ctx)
	if err != nil {
		return err
	}
	h := r.c.Health(ctx, cluster.HealthOptions{})
	if h.AlarmErr != nil {
		return fmt.Errorf("check the alarms after disarming: %w", h.AlarmErr)
	}
	if left := alarmed(h); len(left) > 0 {
		return fmt.Errorf("NOSPACE still raised on members %s after disarming", strings.Join(left, ", "))
	}
	r.rep.NoSpace.Disarmed = true
	r.o.Logger.Info("NOSPACE disarmed", zap.Int("alarms", len(ids)))
	return nil
}
