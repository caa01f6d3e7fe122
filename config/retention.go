package config

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/schedule"
)

func (c *Config) validateRetention(errs *Errors) {
	r := c.Retention
	if r == nil {
		return
	}
	n := len(*errs)
	for _, k := range []struct {
		key string
		v   int
	}{
		{"keep_last", r.KeepLast}, {"keep_hourly", r.KeepHourly}, {"keep_daily", r.KeepDaily},
		{"keep_weekly", r.KeepWeekly}, {"keep_monthly", r.KeepMonthly},
	} {
		if k.v < 0 {
			errs.add("retention."+k.key, "must be >= 0")
		}
	}
	if r.KeepWithin < 0 {
		errs.add("retention.keep_within", "must be >= 0")
	}
	if len(*errs) > n {
		return
	}
	if !r.hasRules() {
		if r.Enabled != nil {
			return // only enabled is set: the default policy
		}
		errs.add("retention", "every rule is 0, so nothing would be kept; set a keep_* rule, "+
			"or drop the section for the default (keep_within: 168h, keep_daily: 30)")
		return
	}
	if err := policyOf(r, time.UTC).Validate(); err != nil {
		errs.add("retention", "%v", err)
	}
}

// hasRules reports whether the section sets a keep_* rule.
func (r *Retention) hasRules() bool {
	rules := *r
	rules.Enabled = nil
	return rules != (Retention{})
}

// RetentionEnabled reports whether run and run-once apply retention after a backup: true unless
// retention.enabled is false.
func (c *Config) RetentionEnabled() bool {
	return c.Retention == nil || c.Retention.Enabled == nil || *c.Retention.Enabled
}

// RetentionPolicy returns the retention section as a policy, or the default policy when the file
// has no retention section or one that sets only enabled. Its Location is the zone of
// schedule.backup (CRON_TZ= or TZ=), else UTC. retention.enabled does not change it: prune applies
// it wherever it runs.
func (c *Config) RetentionPolicy() (retention.Policy, error) {
	loc, _, err := schedule.Zone(c.Schedule.Backup)
	if err != nil {
		return retention.Policy{}, &Error{"schedule.backup", err}
	}
	p := retention.DefaultPolicy()
	if c.Retention != nil && c.Retention.hasRules() {
		p = policyOf(c.Retention, loc)
	}
	p.Location = loc
	if err := p.Validate(); err != nil {
		return retention.Policy{}, &Error{"retention", err}
	}
	return p, nil
}

func policyOf(r *Retention, loc *time.Location) retention.Policy {
	return retention.Policy{
		KeepLast:    r.KeepLast,
		KeepHourly:  r.KeepHourly,
		KeepDaily:   r.KeepDaily,
		KeepWeekly:  r.KeepWeekly,
		KeepMonthly: r.KeepMonthly,
		KeepWithin:  r.KeepWithin.D(),
		Location:    loc,
	}
}
