package main

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// app holds what a command built from the config. Close releases it.
type app struct {
	cfg  *config.Config
	lg   *zap.Logger
	cats []*catalog.Catalog
	etcd *cluster.Client
}

func (g *globals) newApp() (*app, error) {
	cfg, err := g.loadConfig()
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

// openStores opens every destination.
func (a *app) openStores(ctx context.Context) error {
	for i := range a.cfg.Destinations {
		s, err := a.openStore(ctx, i)
		if err != nil {
			return err
		}
		a.cats = append(a.cats, catalog.New(s, a.cfg.ClusterName))
	}
	return nil
}

// openStore opens destinations[i] with its upload options.
func (a *app) openStore(ctx context.Context, i int) (storage.Store, error) {
	d := a.cfg.Destinations[i]
	o, err := d.StoreOptions()
	if err != nil {
		return nil, usageError{fmt.Errorf("destinations[%d]: %w", i, err)}
	}
	o.Logger = a.lg
	s, err := storage.Open(ctx, d.URL, o)
	if err != nil {
		return nil, fmt.Errorf("destinations[%d]: %w", i, err)
	}
	return s, nil
}

// openEtcd connects to the cluster.
func (a *app) openEtcd() error {
	o, err := a.cfg.ClusterOptions()
	if err != nil {
		return err
	}
	a.etcd, err = cluster.New(o, a.lg)
	return err
}

// service builds the backup job shared by run and run-once.
func (a *app) service(m *daemon.Metrics) (*daemon.Service, error) {
	rcpt, err := a.cfg.Recipients()
	if err != nil {
		return nil, err
	}
	if rcpt == nil {
		a.lg.Warn("encryption is disabled: backups are stored in plaintext")
	}
	o := backup.Options{
		Cluster:          a.cfg.ClusterName,
		SpoolDir:         a.cfg.SpoolDir,
		Compression:      a.cfg.Compression,
		CompressionLevel: a.cfg.CompressionLevel,
		Recipients:       rcpt,
		Destinations:     a.cats,
		SnapshotFrom:     a.cfg.Etcd.SnapshotFrom,
		SnapshotTimeout:  a.cfg.Etcd.SnapshotTimeout.D(),
		ToolVersion:      buildinfo.Get(),
		Logger:           a.lg.Named("backup"),
	}
	return &daemon.Service{
		Metrics: m,
		Logger:  a.lg,
		Backup:  func(ctx context.Context) (*backup.Result, error) { return backup.Run(ctx, a.etcd, o) },
		Prune:   a.prune,
	}, nil
}

func (a *app) Close() {
	var errs []error
	for _, c := range a.cats {
		errs = append(errs, c.Store.Close())
	}
	if a.etcd != nil {
		errs = append(errs, a.etcd.Close())
	}
	if err := errors.Join(errs...); err != nil {
		a.lg.Warn("close", zap.Error(err))
	}
	a.lg.Sync()
}
