package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestDrillRunner runs the daemon's drill from the config: a deep verification of the newest backup
// at each of two destinations, recorded at both.
func TestDrillRunner(t *testing.T) {
	e := newEnv(t, 300).withPrivateKey()
	e.set("destinations", []any{
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store")},
		map[string]any{"url": "file://" + filepath.Join(e.dir, "store2")},
	})
	vrBackup(t, e)
	m := vrBackup(t, e)
	var out, errb bytes.Buffer
	g := &globals{configPath: e.cfgPth, stdout: &out, stderr: &errb}
	a, err := g.newAppWithStores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	drill, err := a.drillRunner()
	if err != nil {
		t.Fatal(err)
	}
	d, err := drill(context.Background())
	if err != nil || !d.OK || d.BackupID != m.ID || d.Mode != catalog.ModeDeep {
		t.Fatalf("drill %+v, %v; want the newest backup %s", d, err, m.ID)
	}
	if got := vrLastDrills(t, e)[m.ID]; got == nil || !got.OK || got.Mode != catalog.ModeDeep {
		t.Fatalf("list shows %+v", got)
	}
	second, err := a.cats[1].LastDrills(context.Background())
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
	a2.openStores(context.Background())
	if _, err := a2.drillRunner(); err == nil {
		t.Fatal("drillRunner loaded a protected key without its passphrase")
	}
}
