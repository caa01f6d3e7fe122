package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/notify"
)

func TestBackupAndPrune(t *testing.T) {
	ok := &backup.Result{
		Manifest: &catalog.Manifest{ID: "x", CreatedAt: time.Unix(1000, 0), DurationSeconds: 2,
			Snapshot: catalog.SnapshotInfo{Size: 100}, Object: catalog.ObjectInfo{Size: 40}},
		Dests: []backup.DestResult{{URL: "file:///a", Bytes: 40}},
	}
	partial := &backup.Result{Manifest: ok.Manifest, Dests: []backup.DestResult{
		{URL: "file:///a", Bytes: 40}, {URL: "s3://b", Err: errors.New("upload: boom")}}}
	cases := []struct {
		name      string
		res       *backup.Result
		err       error
		wantPrune bool
		result    string
	}{
		{"success prunes", ok, nil, true, "success"},
		{"partial does not prune", partial, nil, false, "partial"},
		{"failure does not prune", nil, errors.New("snapshot from x: down"), false, "failure"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pruned := false
			s := &BackupJob{metrics: NewMetrics("c1"), lg: zap.NewNop(),
				take:  func(context.Context) (*backup.Result, error) { return c.res, c.err },
				prune: func(context.Context) (int, error) { pruned = true; return 3, nil }}
			_, err := s.Run(context.Background())
			if (err == nil) != (c.result == "success") || pruned != c.wantPrune {
				t.Fatalf("err=%v pruned=%v", err, pruned)
			}
			if got := testutil.ToFloat64(s.metrics.Backups.WithLabelValues(c.result)); got != 1 {
				t.Fatalf("backups_total{result=%s} = %v", c.result, got)
			}
			wantDeleted, wantLast := 0.0, 0.0
			if c.wantPrune {
				wantDeleted = 3
			}
			if c.res != nil {
				wantLast = 1002
			}
			if got := testutil.ToFloat64(s.metrics.RetentionDeleted); got != wantDeleted {
				t.Fatalf("retention_deleted_total = %v, want %v", got, wantDeleted)
			}
			if got := testutil.ToFloat64(s.metrics.BackupLastSuccess); got != wantLast {
				t.Fatalf("last success = %v, want %v", got, wantLast)
			}
		})
	}
}

func TestFailureAndRecoveryNotifications(t *testing.T) {
	got := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e notify.Event
		json.NewDecoder(r.Body).Decode(&e)
		got <- e.Kind
	}))
	defer srv.Close()
	fails := []bool{true, true, false, false}
	run := 0
	s := &BackupJob{metrics: NewMetrics("c1"), lg: zap.NewNop(),
		alerts: newAlerter(notify.New(notify.Options{URL: srv.URL}), "c1", zap.NewNop()),
		take: func(context.Context) (*backup.Result, error) {
			if fails[run] {
				return nil, errors.New("snapshot from x: down")
			}
			return &backup.Result{Manifest: &catalog.Manifest{ID: "20261124T000000Z-r000000000001"}}, nil
		}}
	// Every failure is told; the first success after a failure is a recovery; later successes are quiet.
	for run = range fails {
		s.Run(context.Background())
		want := map[int]string{0: notify.KindBackupFailed, 1: notify.KindBackupFailed, 2: notify.KindRecovered}[run]
		select {
		case k := <-got:
			if k != want {
				t.Fatalf("run %d: notification %q, want %q", run, k, want)
			}
		case <-time.After(2 * time.Second):
			if want != "" {
				t.Fatalf("run %d: no notification, want %q", run, want)
			}
		}
	}
}
