package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
)

const haTTL = 4 * time.Second

// haDaemon is one `etcd-backupd run` process, talking to one etcd member.
type haDaemon struct {
	cmd     *exec.Cmd
	metrics string
	log     string
}

type haRig struct {
	t       *testing.T
	etcd    *etcdtest.Cluster
	daemons []*haDaemon
	store   string
	bin     string
}

// newHARig starts a 3-member TLS cluster of real etcd processes and one daemon per member, all
// backing up to one shared destination every 2s with HA on.
func newHARig(t *testing.T) *haRig {
	c := etcdtest.StartCluster(t, 3)
	etcdtest.Fill(t, c.Client(t), 200, 256, 3)
	key := gpgtest.NewKey(t, "backup", "future-default", "secret pass")
	dir := t.TempDir()
	r := &haRig{t: t, etcd: c, store: filepath.Join(dir, "store"), bin: buildBinary(t)}
	for i, m := range c.Members {
		port := etcdtest.FreePort(t)
		cfg := map[string]any{
			"cluster_name": "ha",
			"etcd": map[string]any{"endpoints": []string{m.Endpoint}, "cacert": c.PKI.CACert,
				"cert": c.PKI.ClientCert, "key": c.PKI.ClientKey, "dial_timeout": "1s"},
			"schedule":     map[string]any{"backup": "@every 2s", "verify": ""},
			"spool_dir":    filepath.Join(dir, fmt.Sprintf("spool%d", i)),
			"encryption":   map[string]any{"recipients": []string{key.PublicFile}},
			"destinations": []any{map[string]any{"url": "file://" + r.store}},
			"retention":    map[string]any{"keep_last": 1000},
			"http":         map[string]any{"listen": fmt.Sprintf("127.0.0.1:%d", port)},
			"ha":           map[string]any{"enabled": true, "ttl": haTTL.String()},
		}
		data, _ := yaml.Marshal(cfg)
		path := filepath.Join(dir, fmt.Sprintf("config%d.yaml", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		d := &haDaemon{metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port), log: path + ".log"}
		logf, _ := os.Create(d.log)
		d.cmd = exec.Command(r.bin, "--config", path, "run")
		d.cmd.Stdout, d.cmd.Stderr = logf, logf
		if err := d.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait(); logf.Close() })
		r.daemons = append(r.daemons, d)
	}
	return r
}

var leaderRE = regexp.MustCompile(`(?m)^etcd_backupd_leader\{cluster="ha"\} (\d)`)

// leaders returns the daemons that report etcd_backupd_leader 1; a daemon that does not answer counts as not leading.
func (r *haRig) leaders() []int {
	var out []int
	for i, d := range r.daemons {
		resp, err := http.Get(d.metrics)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := leaderRE.FindSubmatch(body); m != nil && string(m[1]) == "1" {
			out = append(out, i)
		}
	}
	return out
}

// waitLeader waits until exactly one daemon, other than not, leads, and returns it and the time taken.
func (r *haRig) waitLeader(not int, within time.Duration) (int, time.Duration) {
	r.t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if l := r.leaders(); len(l) == 1 && l[0] != not {
			return l[0], time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("no single new leader within %v: leaders %v\n%s", within, r.leaders(), r.logs())
	return -1, 0
}

// backups counts the committed backups in the shared store.
func (r *haRig) backups() int {
	m, _ := filepath.Glob(filepath.Join(r.store, "ha", "snapshots", "*.json"))
	return len(m)
}

// allLogs returns every daemon's whole log.
func (r *haRig) allLogs() string {
	var b strings.Builder
	for _, d := range r.daemons {
		data, _ := os.ReadFile(d.log)
		b.Write(data)
	}
	return b.String()
}

func (r *haRig) logs() string {
	var b strings.Builder
	for i, d := range r.daemons {
		data, err := os.ReadFile(d.log)
		if err != nil {
			fmt.Fprintf(&b, "read %s: %v\n", d.log, err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "--- daemon %d\n%s\n", i, strings.Join(lines, "\n"))
	}
	return b.String()
}

// growth counts the backups committed during d.
func (r *haRig) growth(d time.Duration) int {
	before := r.backups()
	time.Sleep(d)
	return r.backups() - before
}

func TestHAOneBackupPerTick(t *testing.T) {
	r := newHARig(t)
	leader, _ := r.waitLeader(-1, 30*time.Second)
	n := r.growth(20 * time.Second)
	// One daemon on @every 2s takes about 10 backups in 20s; three uncoordinated ones would take 30.
	if n < 6 || n > 12 {
		t.Fatalf("%d backups in 20s, want about 10 (one daemon's worth)\n%s", n, r.logs())
	}
	if l := r.leaders(); len(l) != 1 || l[0] != leader {
		t.Fatalf("leaders %v, want only %d", l, leader)
	}

	// Graceful handover: SIGTERM makes the leader resign at once, with no wait for the TTL.
	r.daemons[leader].cmd.Process.Signal(syscall.SIGTERM)
	next, took := r.waitLeader(leader, haTTL)
	t.Logf("graceful handover from daemon %d to %d took %v (TTL %v)", leader, next, took, haTTL)

	// Takeover after a crash: SIGKILL the leader; another takes over within the TTL plus one tick.
	r.daemons[next].cmd.Process.Kill()
	last, took := r.waitLeader(next, haTTL+2*time.Second+2*time.Second)
	t.Logf("takeover after SIGKILL of daemon %d by daemon %d took %v", next, last, took)
	if n := r.growth(5 * time.Second); n < 1 {
		t.Fatalf("no backup after the takeover\n%s", r.logs())
	}
}

func TestHAMemberDownAndQuorumLoss(t *testing.T) {
	r := newHARig(t)
	leader, _ := r.waitLeader(-1, 30*time.Second)

	// Stop the member the leader daemon talks to: leadership moves, backups go on from the others.
	r.etcd.Members[leader].Stop()
	next, took := r.waitLeader(leader, haTTL+5*time.Second)
	t.Logf("member of daemon %d down: daemon %d leads after %v", leader, next, took)
	if n := r.growth(6 * time.Second); n < 1 {
		t.Fatalf("no backup with one member down\n%s", r.logs())
	}

	// Stop a second member: no quorum, so nobody leads and no backup is taken.
	other := 3 - leader - next
	r.etcd.Members[other].Stop()
	deadline := time.Now().Add(haTTL + 8*time.Second)
	for len(r.leaders()) != 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if l := r.leaders(); len(l) != 0 {
		t.Fatalf("leaders %v without quorum\n%s", l, r.logs())
	}
	if n := r.growth(6 * time.Second); n != 0 {
		t.Fatalf("%d backups without quorum", n)
	}
	if !strings.Contains(r.allLogs(), "quorum") {
		t.Fatalf("logs do not say why no backup is taken\n%s", r.logs())
	}

	// Restart them: backups resume by themselves.
	r.etcd.Members[leader].Start(t)
	r.etcd.Members[other].Start(t)
	r.waitLeader(-1, 30*time.Second)
	if n := r.growth(6 * time.Second); n < 1 {
		t.Fatalf("backups did not resume after quorum came back\n%s", r.logs())
	}
}
