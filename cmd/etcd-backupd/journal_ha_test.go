package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// newJournalHARig starts a 3-member TLS cluster of real etcd processes and n daemons, each talking
// to its own member, with HA and the journal on (500ms segments), all writing to one shared file
// destination under cluster "ha". Scheduled backups are hourly: the journal's base is the backup the
// first leader takes to start its chain. It returns the rig and a config for the CLI that reads the
// destination with the private key.
func newJournalHARig(t *testing.T, n int) (*haRig, *env) {
	c := etcdtest.StartCluster(t, 3)
	key := gpgtest.NewKey(t, "backup", "future-default", "secret pass")
	dir := t.TempDir()
	r := &haRig{t: t, etcd: c, store: filepath.Join(dir, "store"), bin: buildBinary(t)}
	etcdCfg := func(endpoints ...string) map[string]any {
		return map[string]any{"endpoints": endpoints, "cacert": c.PKI.CACert, "cert": c.PKI.ClientCert,
			"key": c.PKI.ClientKey, "dial_timeout": "1s"}
	}
	for i, m := range c.Members[:n] {
		port := etcdtest.FreePort(t)
		cfg := map[string]any{
			"cluster_name": "ha",
			"etcd":         etcdCfg(m.Endpoint),
			"schedule":     map[string]any{"backup": "@every 1h", "verify": ""},
			"spool_dir":    filepath.Join(dir, fmt.Sprintf("spool%d", i)),
			"encryption":   map[string]any{"recipients": []string{key.PublicFile}},
			"destinations": []any{map[string]any{"url": "file://" + r.store}},
			"http":         map[string]any{"listen": fmt.Sprintf("127.0.0.1:%d", port)},
			"ha":           map[string]any{"enabled": true, "ttl": haTTL.String()},
			"journal":      map[string]any{"enabled": true, "segment_max_age": "500ms"},
		}
		data, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("config%d.yaml", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		d := &haDaemon{metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port), log: path + ".log"}
		logf, err := os.Create(d.log)
		if err != nil {
			t.Fatal(err)
		}
		d.cmd = exec.Command(r.bin, "--config", path, "run")
		d.cmd.Stdout, d.cmd.Stderr = logf, logf
		if err := d.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait(); logf.Close() })
		r.daemons = append(r.daemons, d)
	}
	cli := &env{t: t, dir: filepath.Join(dir, "cli"), cfg: map[string]any{
		"cluster_name": "ha",
		"etcd":         etcdCfg(c.Endpoints()...),
		"schedule":     map[string]any{"backup": "@every 1h", "verify": ""},
		"spool_dir":    filepath.Join(dir, "cli", "spool"),
		"encryption": map[string]any{"recipients": []string{key.PublicFile}, "private_key": key.SecretFile,
			"passphrase_file": key.PassphraseFile},
		"destinations": []any{map[string]any{"url": "file://" + r.store}},
		"http":         map[string]any{"listen": ""},
		"log":          map[string]any{"level": "error"},
	}}
	if err := os.MkdirAll(cli.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return r, cli
}

// TestJournalHAFailover SIGKILLs the leading daemon while writes go on: the next leader continues
// the chain, so that the journal is one run with no gap from its first segment to its newest, no
// gap is counted, and restore --to-revision latest serves every acknowledged write.
func TestJournalHAFailover(t *testing.T) {
	longJournalTest(t, "3 etcd processes, 2 daemons, a failover under writes")
	r, cli := newJournalHARig(t, 2)
	leader, _ := r.waitLeader(-1, 30*time.Second)
	j := openJournalAt(t, "file://"+r.store, "ha")
	w := startPacedWriter(r.etcd.Client(t), "/ha", 4, 200)
	defer w.wait()
	waitJournaledHA(t, r, j, w, 3, "before the failover")

	if err := r.daemons[leader].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	r.daemons[leader].cmd.Wait()
	killedAt := newestJournaled(t, j)
	next, took := r.waitLeader(leader, haTTL+15*time.Second)
	t.Logf("daemon %d SIGKILLed with the journal at revision %d; daemon %d leads after %v", leader, killedAt, next, took)
	waitJournaledHA(t, r, j, w, len(segmentsOf(t, j))+3, "after the failover")
	acks, errs := w.wait()
	if len(errs) > 0 {
		t.Fatalf("%d puts failed, first: %v", len(errs), errs[0])
	}
	last := w.newest()
	if !waitFor(30*time.Second, func() bool { return newestJournaled(t, j) >= last.rev }) {
		t.Fatalf("the journal ends at %d, not at the last write %d\n%s", newestJournaled(t, j), last.rev, r.logs())
	}
	gaps := `etcd_backupd_journal_gaps_total{cluster="ha"}`
	if got := metric(t, r.daemons[next].metrics, gaps); got != 0 {
		t.Errorf("%s = %v on the new leader, want 0: the chain was continued\n%s", gaps, got, r.logs())
	}
	for i, d := range r.daemons {
		if i != leader {
			d.cmd.Process.Signal(syscall.SIGTERM)
			d.cmd.Wait()
		}
	}

	r.etcd.Stop()
	checkOneChain(t, j, killedAt, last.rev)
	m := cli.restoreServe("--to-revision", "latest")
	got, restoredRev := restoredPuts(t, m.Client(t), "/ha/")
	if restoredRev < last.rev {
		t.Fatalf("restored revision %d, before the last acknowledged write %d", restoredRev, last.rev)
	}
	for _, a := range acks {
		if g, ok := got[a.key]; !ok || g.value != a.value || g.rev != a.rev {
			t.Fatalf("acknowledged put %s (%q at revision %d) restored as %+v (present %v)", a.key, a.value, a.rev, g, ok)
		}
	}
	t.Logf("%d acknowledged puts restored, up to revision %d", len(acks), restoredRev)
}

// waitJournaledHA waits until the journal holds at least n segments, then until it holds the write
// acknowledged last by then.
func waitJournaledHA(t *testing.T, r *haRig, j *journal.Journal, w *pacedWriter, n int, when string) {
	t.Helper()
	if !waitFor(45*time.Second, func() bool { return len(segmentsOf(t, j)) >= n && w.newest().rev > 0 }) {
		t.Fatalf("%s: %d segments, not %d, newest acknowledged write %d\n%s", when, len(segmentsOf(t, j)), n,
			w.newest().rev, r.logs())
	}
	want := w.newest().rev
	if !waitFor(30*time.Second, func() bool { return newestJournaled(t, j) >= want }) {
		t.Fatalf("%s: the journal ends at %d, not at the acknowledged write %d\n%s", when, newestJournaled(t, j),
			want, r.logs())
	}
}

// checkOneChain checks that the journal is one run from its first segment to last, with the
// failover (the journal's end at killedAt) inside it: one chain started from a base, every other
// segment continues the one before it, and two daemons wrote it.
func checkOneChain(t *testing.T, j *journal.Journal, killedAt, last int64) {
	t.Helper()
	segs := segmentsOf(t, j)
	runs := journal.Runs(segs)
	if len(runs) != 1 || runs[0].First != segs[0].First || runs[0].Last < last || killedAt >= runs[0].Last {
		t.Fatalf("journal runs%s; want one from %d through the failover at %d up to %d at least", runsString(runs),
			segs[0].First, killedAt, last)
	}
	names := map[string]bool{}
	writers := map[string]bool{}
	for i, m := range manifestsOf(t, j, segs) {
		writers[m.Writer] = true
		switch {
		case i == 0 && (m.Previous != "" || m.Base == ""):
			t.Errorf("first segment %s: previous %q, base %q; want a chain from a base", m.Name, m.Previous, m.Base)
		case i > 0 && !names[m.Previous]:
			t.Errorf("segment %s continues %q, not a segment before it (a new chain, base %q)", m.Name, m.Previous, m.Base)
		}
		names[m.Name] = true
	}
	if len(writers) < 2 {
		t.Errorf("segments written by %v; want the first leader and the next", writers)
	}
	t.Logf("one run %d-%d of %d segments by %d writers", runs[0].First, runs[0].Last, len(segs), len(writers))
}
