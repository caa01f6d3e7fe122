package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/config"
)

// TestDrillRunner runs the daemon's drill job from the config: a deep verification of the newest backup
// at each of two destinations, recorded at both.
func TestDrillRunner(t *testing.T) {
	e := newEnv(t, 300).withPrivateKey()
	e.set("destinations", []any{
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store")},
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store2")},
	})
	e.set("schedule.verify", "@daily")
	vrBackup(t, e)
	m := vrBackup(t, e)
	var out, errb bytes.Buffer
	g := &globals{configPath: e.cfgPth, stdout: &out, stderr: &errb}
	a, d, err := g.openJobs(context.Background(), (*config.Config).DaemonConfig, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := d.Drill.Run(context.Background()); err != nil {
		t.Fatalf("drill: %v; want the newest backup %s verified", err, m.ID)
	}
	if got := vrLastDrills(t, e)[m.ID]; got == nil || !got.OK || got.Mode != catalog.ModeDeep {
		t.Fatalf("list shows %+v", got)
	}
	second, err := a.dests.All()[1].LastDrills(context.Background())
	if got := second[m.ID]; err != nil || got == nil || !got.OK || got.Mode != catalog.ModeDeep {
		t.Fatalf("the second destination records %+v, %v", got, err)
	}
	e.set("encryption.passphrase_file", "")
	e.run("config", "validate") // rewrites the config file
	a2, err := g.newApp()
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	if _, err := a2.cfg.DaemonConfig(); err == nil {
		t.Fatal("the daemon loaded a protected key without its passphrase")
	}
}
