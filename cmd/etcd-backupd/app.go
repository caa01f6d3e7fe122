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

// daemon builds the daemon's jobs from dc on what the app opened; n may be nil.
func (a *app) daemon(dc daemon.Config, n *notify.Notifier) *daemon.Daemon {
	return daemon.New(dc, daemon.Deps{Etcd: a.etcd, Destinations: a.dests, Notifier: n, Logger: a.lg})
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
