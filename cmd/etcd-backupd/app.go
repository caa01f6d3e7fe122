package main

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/notify"
)

// app holds what a command opened from the config. Close releases it.
type app struct {
	cfg   *config.Config
	lg    *zap.Logger
	dests *catalog.Set
	etcd  *cluster.Client
}

func (g *globals) newApp() (*app, error) { return g.newAppWith(config.Load) }

// newAppWith is newApp with the config read by load.
func (g *globals) newAppWith(load func(string) (*config.Config, error)) (*app, error) {
	cfg, err := g.loadConfigWith(load)
	if err != nil {
		return nil, err
	}
	lg, err := newLogger(cfg.Log, g.stderr)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, lg: lg}, nil
}

// newAppWithStores is newApp with every destination open. Close it.
func (g *globals) newAppWithStores(ctx context.Context) (*app, error) {
	a, err := g.newApp()
	if err != nil {
		return nil, err
	}
	if err := a.openStores(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) openStores(ctx context.Context) (err error) {
	a.dests, err = a.cfg.OpenDestinations(ctx, a.lg)
	return err
}

func (a *app) openEtcd() (err error) {
	a.etcd, err = a.cfg.OpenEtcd(a.lg)
	return err
}

// openJobs opens the destinations and etcd and builds the daemon's jobs, doing what jobs makes of
// the config ((*config.Config).DaemonConfig, or BackupJobConfig for run-once). With notify the jobs
// send the config's notifications. Close the app, also on error.
func (g *globals) openJobs(ctx context.Context, jobs func(*config.Config) (daemon.Config, error),
	notify bool) (*app, *daemon.Daemon, error) {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return nil, nil, err
	}
	d, err := a.jobs(jobs, notify)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, d, nil
}

func (a *app) jobs(jobs func(*config.Config) (daemon.Config, error), withNotify bool) (*daemon.Daemon, error) {
	if err := a.openEtcd(); err != nil {
		return nil, err
	}
	dc, err := jobs(a.cfg)
	if err != nil {
		return nil, err
	}
	deps := daemon.Deps{Etcd: a.etcd, Destinations: a.dests, Logger: a.lg}
	if withNotify {
		no, err := a.cfg.NotifyOptions()
		if err != nil {
			return nil, err
		}
		no.Logger = a.lg
		deps.Notifier = notify.New(no)
	}
	return daemon.New(dc, deps), nil
}

func (a *app) Close() {
	var errs []error
	if a.dests != nil {
		errs = append(errs, a.dests.Close())
	}
	if a.etcd != nil {
		errs = append(errs, a.etcd.Close())
	}
	if err := errors.Join(errs...); err != nil {
		a.lg.Warn("close", zap.Error(err))
	}
	a.lg.Sync()
}
