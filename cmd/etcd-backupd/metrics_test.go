package main

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestDaemonMetrics scrapes a running daemon while backups succeed, then fail.
func TestDaemonMetrics(t *testing.T) {
	e := newEnv(t, 100)
	e.set("schedule.backup", "@every 1s")
	url := e.startDaemon()
	waitMetric(t, url, `etcd_backupd_backups_total{cluster="test-cluster",result="success"}`, 2)
	waitMetric(t, url, `etcd_backupd_etcd_members{cluster="test-cluster"}`, 1)
	last := metric(t, url, `etcd_backupd_backup_last_success_timestamp_seconds{cluster="test-cluster"}`)
	if age := time.Since(time.Unix(int64(last), 0)); age > time.Minute || age < -time.Minute {
		t.Fatalf("last success is %v old", age)
	}
	e.etcd.Stop()
	waitMetric(t, url, `etcd_backupd_backups_total{cluster="test-cluster",result="failure"}`, 1)
	if got := metric(t, url, `etcd_backupd_leader{cluster="test-cluster"}`); got != 1 {
		t.Fatalf("leader = %v without HA", got)
	}
}

// metric returns the value of one sample, or -1 when it is absent.
func metric(t *testing.T, url, sample string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

func waitMetric(t *testing.T, url, sample string, atLeast float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if metric(t, url, sample) >= atLeast {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %v (now %v)", sample, atLeast, metric(t, url, sample))
}

// TestDaemonDrills runs the daemon with a short drill schedule: drill records are written and the
// verify metrics move.
func TestDaemonDrills(t *testing.T) {
	e := newEnv(t, 100)
	e.set("schedule.backup", "@every 1s")
	e.set("schedule.verify", "@every 3s")
	e.set("encryption.private_key", e.key.SecretFile)
	e.set("encryption.passphrase_file", e.key.PassphraseFile)
	url := e.startDaemon()
	waitMetric(t, url, `etcd_backupd_verify_total{cluster="test-cluster",result="success"}`, 1)
	if v := metric(t, url, `etcd_backupd_verify_last_success_timestamp_seconds{cluster="test-cluster"}`); v <= 0 {
		t.Fatalf("verify_last_success = %v", v)
	}
	records := files(t, filepath.Join(e.dir, "store", "test-cluster", "drills"))
	if len(records) == 0 {
		t.Fatal("no drill record written")
	}
	out, _, _ := e.run("list")
	if !strings.Contains(out, "ok deep") {
		t.Fatalf("list does not show the drill:\n%s", out)
	}
}

// startDaemon runs `etcd-backupd run` with e's config, serving metrics on a free port, until the test
// ends; it returns the /metrics URL.
func (e *env) startDaemon() string {
	e.t.Helper()
	port := etcdtest.FreePort(e.t)
	e.set("http.listen", fmt.Sprintf("127.0.0.1:%d", port))
	e.run("config", "validate") // writes the config file
	cmd := exec.Command(buildBinary(e.t), "--config", e.cfgPth, "run")
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
}
