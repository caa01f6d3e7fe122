package config

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/maintain"
	"github.com/etcd-backupd/etcd-backupd/schedule"
)

// Maintenance configures day-2 maintenance: the maintain command and schedule.maintain.
type Maintenance struct {
	// A member is defragmented when FragmentedPercent of its database and FragmentedBytes are
	// free pages, or when it uses QuotaPercent of the quota and has something to reclaim.
	FragmentedPercent int    `yaml:"fragmented_percent"` // default 45
	FragmentedBytes   string `yaml:"fragmented_bytes"`   // default 100MiB
	QuotaPercent      int    `yaml:"quota_percent"`      // default 80; 0 turns the quota trigger off
	BackupFirst       bool   `yaml:"backup_first"`       // default true: a verified backup before any change
	// Compact compacts to the current revision minus KeepRevisions first. Off by default: the
	// Kubernetes API server compacts every 5 minutes on its own.
	Compact        bool     `yaml:"compact"`
	KeepRevisions  int      `yaml:"keep_revisions"`  // default 10000
	NoSpace        string   `yaml:"nospace"`         // alert (default) | remediate
	DefragTimeout  Duration `yaml:"defrag_timeout"`  // one member's defragmentation; default 5m
	RecoverTimeout Duration `yaml:"recover_timeout"` // a member's return, a leadership move; default 1m
}

// Values of maintenance.nospace.
const (
	NoSpaceAlert     = "alert"
	NoSpaceRemediate = "remediate"
)

// defaultMaintenance is the maintenance section's defaults.
func defaultMaintenance() Maintenance {
	return Maintenance{FragmentedPercent: 45, FragmentedBytes: "100MiB", QuotaPercent: 80, BackupFirst: true,
		KeepRevisions: 10000, NoSpace: NoSpaceAlert, DefragTimeout: Duration(5 * time.Minute),
		RecoverTimeout: Duration(time.Minute)}
}

func (c *Config) validateMaintenance(errs *Errors) {
	m := c.Maintenance
	percent := func(field string, v, low int) {
		if v < low || v > 100 {
			errs.add("maintenance."+field, "%d: want %d to 100", v, low)
		}
	}
	percent("fragmented_percent", m.FragmentedPercent, 1)
	percent("quota_percent", m.QuotaPercent, 0)
	if _, err := ParseSize(m.FragmentedBytes); err != nil {
		errs.add("maintenance.fragmented_bytes", "%v", err)
	}
	if m.KeepRevisions < 0 {
		errs.add("maintenance.keep_revisions", "%d: must not be negative", m.KeepRevisions)
	}
	oneOf(errs, "maintenance.nospace", m.NoSpace, NoSpaceAlert, NoSpaceRemediate)
	for field, d := range map[string]Duration{"defrag_timeout": m.DefragTimeout, "recover_timeout": m.RecoverTimeout} {
		if d <= 0 {
			errs.add("maintenance."+field, "%s: must be positive", d.D())
		}
	}
	if c.Schedule.Maintain != "" {
		if _, _, err := schedule.Parse(c.Schedule.Maintain); err != nil {
			errs.add("schedule.maintain", "%v", err)
		}
	}
}

// MaintainRule is the rule that says which members are due for defragmentation.
func (c *Config) MaintainRule() maintain.Rule {
	m := c.Maintenance
	b, _ := ParseSize(m.FragmentedBytes) // validated
	return maintain.Rule{FragmentedFraction: float64(m.FragmentedPercent) / 100, FragmentedBytes: b,
		QuotaUsage: float64(m.QuotaPercent) / 100}
}

// MaintainOptions are the options of maintain, without the backup hook and the logger, which the
// daemon sets.
func (c *Config) MaintainOptions() maintain.Options {
	m := c.Maintenance
	return maintain.Options{Rule: c.MaintainRule(), NoBackup: !m.BackupFirst, Compact: m.Compact,
		KeepRevisions: int64(m.KeepRevisions), DefragTimeout: m.DefragTimeout.D(),
		RecoverTimeout: m.RecoverTimeout.D()}
}
