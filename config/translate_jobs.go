package config

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/check"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/schedule"
	"github.com/etcd-backupd/etcd-backupd/storage"
	"github.com/etcd-backupd/etcd-backupd/verify"
	"github.com/robfig/cron/v3"
)

// DaemonConfig is what the daemon's jobs do. It loads the recipients' keys and, when one is
// configured, the private key (drills and the backup before maintenance decrypt with it), so that a
// bad key fails the daemon's start rather than its first drill.
func (c *Config) DaemonConfig() (daemon.Config, error) {
	dc, err := c.BackupJobConfig()
	if err != nil {
		return dc, err
	}
	dc.Listen = c.HTTP.Listen
	if dc.BackupSchedule, err = c.schedule("schedule.backup", c.Schedule.Backup); err != nil {
		return dc, err
	}
	if c.Schedule.Verify != "" {
		if dc.DrillSchedule, err = c.schedule("schedule.verify", c.Schedule.Verify); err != nil {
			return dc, err
		}
	}
	if dc.Drill, err = c.drillOptions(); err != nil {
		return dc, err
	}
	if c.Schedule.Maintain != "" {
		if dc.MaintainSchedule, err = c.schedule("schedule.maintain", c.Schedule.Maintain); err != nil {
			return dc, err
		}
	}
	dc.Maintain, dc.RemediateNoSpace = c.MaintainOptions(), c.Maintenance.NoSpace == NoSpaceRemediate
	if jo, on, err := c.JournalOptions(); err != nil {
		return dc, err
	} else if on {
		dc.Journal = &jo
	}
	if c.HA.Enabled {
		dc.HA = &daemon.HA{Prefix: c.HA.Prefix, TTL: c.HA.TTL.D()}
	}
	return dc, nil
}

// MaintainConfig is what the maintain command does: the daemon's jobs, run now on this node, with no
// election (the operator chose the node) and no schedule.
func (c *Config) MaintainConfig() (daemon.Config, error) {
	dc, err := c.DaemonConfig()
	dc.HA, dc.BackupSchedule, dc.DrillSchedule, dc.MaintainSchedule, dc.RemediateNoSpace = nil, nil, nil, nil, false
	dc.Journal = nil
	return dc, err
}

// BackupJobConfig is the backup job alone, then retention: what run-once does. It loads the
// recipients' keys and never the private key. With retention.enabled: false there is no retention:
// nothing the jobs run deletes from the destinations.
func (c *Config) BackupJobConfig() (daemon.Config, error) {
	bo, err := c.BackupOptions()
	if err != nil {
		return daemon.Config{}, err
	}
	po, err := c.PruneOptions(false)
	if err != nil {
		return daemon.Config{}, err
	}
	dc := daemon.Config{Cluster: c.ClusterName, Backup: bo}
	if c.RetentionEnabled() {
		dc.Retention = &po
	}
	return dc, nil
}

// drillOptions are the verify options of drills, with the private key when one is configured.
func (c *Config) drillOptions() (o verify.Options, err error) {
	o = c.VerifyOptions(nil)
	if c.Encryption.PrivateKey != "" {
		o.Identity, err = c.Identity()
	}
	return o, err
}

func (c *Config) schedule(field, spec string) (cron.Schedule, error) {
	s, _, err := schedule.Parse(spec)
	if err != nil {
		return nil, &Error{field, err}
	}
	return s, nil
}

// CheckOptions are the options of check; configPath is the config file, for the command that runs
// the check again.
func (c *Config) CheckOptions(configPath string, th check.Thresholds) (check.Options, error) {
	o := check.Options{
		Cluster: c.ClusterName,
		Access: check.Access{Endpoints: c.Etcd.Endpoints, CACert: c.Etcd.CACert, Cert: c.Etcd.Cert,
			Key: c.Etcd.Key, Username: c.Etcd.Username, PasswordFile: c.Etcd.PasswordFile},
		Thresholds:         th,
		ConfigPath:         configPath,
		ScratchDir:         c.Verify.ScratchDir,
		MaintainRule:       c.MaintainRule(),
		NoSpaceRemediation: c.Maintenance.NoSpace == NoSpaceRemediate,
	}
	if c.Journal.Enabled {
		o.JournalMaxAge = c.Journal.SegmentMaxAge.D()
	}
	if k, ok := c.KitOptions(); ok {
		o.Kit = &k
	}
	if abs, err := filepath.Abs(configPath); err == nil {
		o.ConfigPath = abs
	}
	var err error
	if o.Schedules.Backup, err = c.schedule("schedule.backup", c.Schedule.Backup); err != nil {
		return o, err
	}
	if c.Schedule.Verify != "" {
		o.Schedules.Verify, err = c.schedule("schedule.verify", c.Schedule.Verify)
	}
	return o, err
}

// OpenEtcd connects to the cluster.
func (c *Config) OpenEtcd(lg *zap.Logger) (*cluster.Client, error) {
	o, err := c.ClusterOptions()
	if err != nil {
		return nil, err
	}
	cli, err := cluster.New(o, lg)
	var fe *cluster.FilesError
	if errors.As(err, &fe) {
		return nil, &Error{"", err}
	}
	return cli, err
}

// OpenDestination opens destinations[i] with its upload options.
func (c *Config) OpenDestination(ctx context.Context, i int, lg *zap.Logger) (*catalog.Catalog, error) {
	d := c.Destinations[i]
	field := fmt.Sprintf("destinations[%d]", i)
	o, err := d.StoreOptions()
	if err != nil {
		return nil, &Error{field, err}
	}
	o.Logger = lg
	s, err := storage.Open(ctx, d.URL, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return catalog.New(s, c.ClusterName), nil
}

// OpenDestinations opens every destination as one set; the first that does not open fails it.
func (c *Config) OpenDestinations(ctx context.Context, lg *zap.Logger) (*catalog.Set, error) {
	var cats []*catalog.Catalog
	for i := range c.Destinations {
		cat, err := c.OpenDestination(ctx, i, lg)
		if err != nil {
			catalog.NewSet(cats, nil, lg).Close()
			return nil, err
		}
		cats = append(cats, cat)
	}
	return catalog.NewSet(cats, c.DestinationURLs(), lg), nil
}

// CheckDestinations opens every destination for check: one that does not open is a finding, not an
// error. The set holds those that opened, for the caller to close.
func (c *Config) CheckDestinations(ctx context.Context, lg *zap.Logger) ([]check.Destination, *catalog.Set) {
	var out []check.Destination
	var cats []*catalog.Catalog
	for i, u := range c.DestinationURLs() {
		d := check.Destination{URL: storage.Redact(u), NoDelete: !c.RetentionEnabled()}
		d.Catalog, d.OpenErr = c.OpenDestination(ctx, i, lg)
		if d.OpenErr == nil {
			cats = append(cats, d.Catalog)
		}
		out = append(out, d)
	}
	return out, catalog.NewSet(cats, nil, lg)
}
