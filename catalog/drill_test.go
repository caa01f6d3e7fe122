package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/filetest"
)

// TestDrillRecordPlace edits a stored drill record so that it vouches for another backup or time:
// reading the records fails, naming the record and the field, rather than count a drill that
// never ran.
func TestDrillRecordPlace(t *testing.T) {
	id := NewID(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 5)
	other := NewID(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), 9)
	at := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		edit  func(j map[string]any)
		field string // "" for no error
	}{
		{"as written", func(map[string]any) {}, ""},
		{"backup_id", func(j map[string]any) { j["backup_id"] = other }, `backup_id "` + other + `"`},
		{"started_at", func(j map[string]any) { j["started_at"] = at.Add(time.Hour).Format(time.RFC3339) }, "started_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			cat := New(openFileStore(t, dir), "c1")
			if err := cat.RecordDrill(context.Background(), &Drill{BackupID: id, Mode: ModeDeep, StartedAt: at, OK: true}); err != nil {
				t.Fatal(err)
			}
			key := cat.Layout.DrillKey(id, at.Format(DrillTimeLayout))
			p := filepath.Join(dir, filepath.FromSlash(key))
			filetest.EditJSON(t, p, p, c.edit)
			last, lerr := cat.LastDrills(context.Background())
			good, gerr := cat.NewestGoodDrill(context.Background())
			if c.field == "" {
				if lerr != nil || gerr != nil || last[id] == nil || good == nil || good.BackupID != id {
					t.Fatalf("LastDrills = %v, %v; NewestGoodDrill = %+v, %v", last, lerr, good, gerr)
				}
				return
			}
			for name, err := range map[string]error{"LastDrills": lerr, "NewestGoodDrill": gerr} {
				if !errors.Is(err, ErrMisplaced) || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), key) {
					t.Fatalf("%s = %v, want ErrMisplaced naming %s and %s", name, err, key, c.field)
				}
			}
		})
	}
}
