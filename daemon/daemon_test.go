package daemon

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// every fires at a fixed interval from now, at sub-second resolution.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

func runDaemon(t *testing.T, jobs []Job) (stop, abort context.CancelFunc, done <-chan error, m *Metrics, addr string) {
	t.Helper()
	stopCtx, stop := context.WithCancel(context.Background())
	abortCtx, abort := context.WithCancel(context.Background())
	m = NewMetrics("c1")
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- Run(stopCtx, abortCtx, Options{Jobs: jobs, Listen: "127.0.0.1:0", Metrics: m, Logger: zap.NewNop(),
			GracePeriod: 5 * time.Second, Ready: func(a string) { ready <- a }})
	}()
	select {
	case addr = <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("daemon not ready")
	}
	t.Cleanup(func() { stop(); abort() })
	return stop, abort, errc, m, addr
}

func TestSlowJobSkipsTicks(t *testing.T) {
	var runs atomic.Int32
	release := make(chan struct{})
	job := Job{Name: "backup", Schedule: every(20 * time.Millisecond), Run: func(ctx context.Context) error {
		runs.Add(1)
		<-release
		return nil
	}}
	stop, _, done, m, _ := runDaemon(t, []Job{job})
	time.Sleep(300 * time.Millisecond)
	if got := runs.Load(); got != 1 {
		t.Fatalf("%d runs while the first one blocked, want 1", got)
	}
	if skipped := testutil.ToFloat64(m.Skipped.WithLabelValues("backup")); skipped < 3 {
		t.Fatalf("skipped = %v, want several", skipped)
	}
	close(release)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStopWaitsForRunningJob(t *testing.T) {
	started := make(chan struct{}, 1)
	var finished atomic.Bool
	job := Job{Name: "backup", Schedule: every(10 * time.Millisecond), Run: func(ctx context.Context) error {
		select {
		case started <- struct{}{}:
		default:
			return nil
		}
		time.Sleep(200 * time.Millisecond)
		finished.Store(ctx.Err() == nil)
		return nil
	}}
	stop, _, done, _, _ := runDaemon(t, []Job{job})
	<-started
	stop()
	if err := <-done; err != nil || !finished.Load() {
		t.Fatalf("Run returned %v before the running job finished cleanly (finished=%v)", err, finished.Load())
	}
}

func TestAbortCancelsRunningJob(t *testing.T) {
	started := make(chan struct{}, 1)
	cancelled := make(chan struct{})
	job := Job{Name: "backup", Schedule: every(10 * time.Millisecond), Run: func(ctx context.Context) error {
		select {
		case started <- struct{}{}:
		default:
			return nil
		}
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	}}
	stop, abort, done, _, _ := runDaemon(t, []Job{job})
	<-started
	stop()
	abort()
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("second signal did not cancel the running job")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	_, _, _, m, addr := runDaemon(t, nil)
	m.Leader.Set(1)
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "ok",
		"/metrics": `etcd_backupd_leader{cluster="c1"} 1`,
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("%s: %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}
}

func TestEtcdGauges(t *testing.T) {
	m := NewMetrics("c1")
	m.SetEtcd(cluster.Gauges{Members: 3, HasLeader: true, Alarms: map[string]int{"NOSPACE": 1, "CORRUPT": 0},
		DBSize: map[string]int64{"m0": 4096}, Quota: 8 << 30, CertExpiry: map[string]time.Time{"client": time.Unix(1900000000, 0)}})
	for metric, want := range map[string]float64{
		`etcd_backupd_etcd_members`: 3, `etcd_backupd_etcd_has_leader`: 1, `etcd_backupd_etcd_quota_bytes`: 8 << 30,
	} {
		mfs, _ := m.Registry.Gather()
		found := false
		for _, mf := range mfs {
			if mf.GetName() == metric {
				found = mf.Metric[0].GetGauge().GetValue() == want
			}
		}
		if !found {
			t.Fatalf("%s != %v", metric, want)
		}
	}
	if got := testutil.ToFloat64(m.etcd.alarm.WithLabelValues("NOSPACE")); got != 1 {
		t.Fatalf("alarm NOSPACE = %v", got)
	}
	if got := testutil.ToFloat64(m.etcd.certExpiry.WithLabelValues("client")); got != 1900000000 {
		t.Fatalf("cert expiry = %v", got)
	}
}
