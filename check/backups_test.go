package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/schedule"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

const testCluster = "prod-eu1"

var testNow = time.Date(2026, 3, 10, 12, 7, 0, 0, time.UTC)

// store opens a real file:// destination in a temp dir.
func store(t *testing.T) (Destination, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	u := "file://" + dir
	s, err := storage.Open(context.Background(), u, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return Destination{URL: u, Catalog: catalog.New(s, testCluster)}, dir
}

// commit writes the manifest of a backup taken at `at`, with its data object.
func commit(t *testing.T, d Destination, at time.Time) string {
	t.Helper()
	id := catalog.NewID(at, 1000)
	key := d.Catalog.Layout.DataKey(id, catalog.SuffixZstd)
	ctx := context.Background()
	w, err := d.Catalog.Store.NewWriter(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	m := &catalog.Manifest{Format: catalog.Format, ID: id, ClusterName: testCluster, CreatedAt: at,
		Object: catalog.ObjectInfo{Key: key, Size: 4, Compression: catalog.CompressionZstd, Encryption: catalog.EncryptionNone}}
	if err := d.Catalog.Commit(ctx, m); err != nil {
		t.Fatal(err)
	}
	return id
}

func drill(t *testing.T, d Destination, id string, at time.Time, ok bool) {
	t.Helper()
	dr := &catalog.Drill{BackupID: id, Mode: catalog.ModeQuick, StartedAt: at, OK: ok}
	if !ok {
		dr.Error = "sha256 mismatch"
	}
	if err := d.Catalog.RecordDrill(context.Background(), dr); err != nil {
		t.Fatal(err)
	}
}

func schedules(t *testing.T, spec string) Schedules {
	t.Helper()
	b, _, err := schedule.Parse("*/15 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	s := Schedules{Backup: b}
	if spec != "" {
		if s.Verify, _, err = schedule.Parse(spec); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// backupCases fill a destination and say what its findings must be.
var backupCases = []struct {
	name        string
	verify      string // schedule.verify
	setup       func(t *testing.T, d Destination)
	age, verif  Severity
	ageMsg      string
	verifMsg    string
	noBackupMsg bool
}{
	{name: "no backup", setup: func(*testing.T, Destination) {}, noBackupMsg: true},
	{name: "fresh, newest verified", verify: "@monthly", setup: func(t *testing.T, d Destination) {
		commit(t, d, testNow.Add(-time.Hour))
		id := commit(t, d, testNow.Add(-7*time.Minute))
		drill(t, d, id, testNow.Add(-time.Minute), true)
	}, age: OK, ageMsg: "2 committed; the newest", verif: OK, verifMsg: "the newest backup"},
	{name: "stale, never verified", verify: "@monthly", setup: func(t *testing.T, d Destination) {
		commit(t, d, testNow.Add(-40*time.Minute))
	}, age: Warn, ageMsg: "stale: the newest", verif: Warn, verifMsg: "no backup has ever been verified"},
	{name: "older backup verified within the drill schedule", verify: "@weekly", setup: func(t *testing.T, d Destination) {
		old := commit(t, d, testNow.Add(-72*time.Hour))
		commit(t, d, testNow.Add(-3*time.Minute))
		drill(t, d, old, testNow.Add(-70*time.Hour), true)
	}, age: OK, verif: OK, verifMsg: "waits for the next drill"},
	{name: "last drill too old", verify: "@daily", setup: func(t *testing.T, d Destination) {
		old := commit(t, d, testNow.Add(-72*time.Hour))
		commit(t, d, testNow.Add(-3*time.Minute))
		drill(t, d, old, testNow.Add(-71*time.Hour), true)
	}, age: OK, verif: Warn, verifMsg: "older than 2 drill intervals"},
	{name: "drills off", setup: func(t *testing.T, d Destination) {
		old := commit(t, d, testNow.Add(-72*time.Hour))
		commit(t, d, testNow.Add(-3*time.Minute))
		drill(t, d, old, testNow.Add(-71*time.Hour), true)
	}, age: OK, verif: Warn, verifMsg: "drills are off"},
	{name: "newest drill failed", verify: "@monthly", setup: func(t *testing.T, d Destination) {
		id := commit(t, d, testNow.Add(-3*time.Minute))
		drill(t, d, id, testNow.Add(-time.Minute), false)
	}, age: OK, verif: Critical, verifMsg: "FAILED: sha256 mismatch"},
}

// TestBackupFindings judges real destinations: no backup, fresh, stale, verified or not.
func TestBackupFindings(t *testing.T) {
	for _, tc := range backupCases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := store(t)
			tc.setup(t, d)
			st := Inspect(context.Background(), d)
			fs := backupFindings(st, schedules(t, tc.verify), DefaultThresholds(), testNow)
			if fs[0].Severity != OK || fs[0].Message != "write-read-delete probe passed" {
				t.Fatalf("probe finding = %+v", fs[0])
			}
			if tc.noBackupMsg {
				if len(fs) != 2 || fs[1].Severity != Critical || !strings.Contains(fs[1].Message, "no committed backup") {
					t.Fatalf("findings = %+v, want a critical 'no committed backup'", fs)
				}
				return
			}
			if len(fs) != 3 {
				t.Fatalf("findings = %+v, want probe, age and verification", fs)
			}
			assertFinding(t, fs[1], tc.age, tc.ageMsg)
			assertFinding(t, fs[2], tc.verif, tc.verifMsg)
		})
	}
}

func assertFinding(t *testing.T, f Finding, sev Severity, msg string) {
	t.Helper()
	if f.Severity != sev || !strings.Contains(f.Message, msg) {
		t.Fatalf("finding %+v, want %s containing %q", f, sev, msg)
	}
	if sev != OK && f.Action == "" {
		t.Fatalf("finding %+v has no action", f)
	}
}

// TestProbeFails checks that a destination that cannot be written is critical, and that a probe leaves
// nothing behind.
func TestProbeFails(t *testing.T) {
	d, dir := store(t)
	if st := Inspect(context.Background(), d); st.ProbeErr != nil {
		t.Fatalf("probe: %v", st.ProbeErr)
	}
	left, err := d.Catalog.Store.List(context.Background(), testCluster+"/probe/")
	if err != nil || len(left) != 0 {
		t.Fatalf("after the probe: %v objects left (%v)", left, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := Inspect(context.Background(), d)
	if st.ProbeErr == nil || !strings.Contains(st.ProbeErr.Error(), "write") {
		t.Fatalf("probe of a destination that is a file: %v", st.ProbeErr)
	}
	fs := backupFindings(st, schedules(t, ""), DefaultThresholds(), testNow)
	if fs[0].Severity != Critical || !strings.Contains(fs[0].Message, "write-read-delete probe failed") {
		t.Fatalf("findings = %+v, want the probe critical", fs)
	}
}

func TestInterval(t *testing.T) {
	cases := []struct {
		spec string
		want time.Duration
	}{
		{"*/15 * * * *", 15 * time.Minute},
		{"@hourly", time.Hour},
		{"@every 90m", 90 * time.Minute},
		{"CRON_TZ=Europe/Paris 0 2 * * *", 24 * time.Hour},
	}
	for _, tc := range cases {
		s, _, err := schedule.Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := Interval(s, testNow); got != tc.want {
			t.Fatalf("Interval(%q) = %s, want %s", tc.spec, got, tc.want)
		}
	}
}
