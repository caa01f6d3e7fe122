package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/workdir"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds etcd-backupd once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ebd-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "etcd-backupd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("go build: %s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("build etcd-backupd: %v", binErr)
	}
	return binPath
}

// TestCrashSafety SIGKILLs run-once at random moments of a large backup. After each kill, list shows
// only complete backups, nothing outside the spool is plaintext, and the next run-once succeeds.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("long: kills 20 large backups")
	}
	e := newEnv(t, 40000) // about 45 MB of data
	e.run("config", "validate")
	bin := buildBinary(t)
	start := time.Now()
	if out, err := exec.Command(bin, "--config", e.cfgPth, "run-once").CombinedOutput(); err != nil {
		t.Fatalf("first run-once: %v: %s", err, out)
	}
	full := time.Since(start)
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 20; i++ {
		cmd := exec.Command(bin, "--config", e.cfgPth, "run-once")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Kill()
		cmd.Wait()
		e.assertCommittedOnly()
		e.assertNoPlaintext()
	}
	if out, err := exec.Command(bin, "--config", e.cfgPth, "run-once").CombinedOutput(); err != nil {
		t.Fatalf("run-once after the kills: %v: %s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(e.dir, "spool", "*.db.part")); len(left) != 0 {
		t.Fatalf("spool leftovers after a successful run: %v", left)
	}
	t.Logf("a full run-once took %v", full)
}

// assertCommittedOnly checks that every listed backup has its complete data object.
func (e *env) assertCommittedOnly() {
	e.t.Helper()
	out, stderr, code := e.run("list", "-w", "json")
	if code != 0 {
		e.t.Fatalf("list: %s", stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range rows {
		fi, err := os.Stat(filepath.Join(e.dir, "store", r.Object.Key))
		if err != nil || fi.Size() != r.Object.Size {
			e.t.Fatalf("listed backup %s has no complete data object: %v", r.ID, err)
		}
	}
}

// assertNoPlaintext checks that every file in the store and the spool is a manifest or OpenPGP data.
func (e *env) assertNoPlaintext() {
	e.t.Helper()
	for _, dir := range []string{"store", "spool"} {
		filepath.Walk(filepath.Join(e.dir, dir), e.assertOpenPGP)
	}
}

func (e *env) assertOpenPGP(p string, fi os.FileInfo, err error) error {
	if err != nil || fi.IsDir() || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".lock") ||
		filepath.Base(p) == workdir.Marker || fi.Size() == 0 ||
		strings.Contains(filepath.Base(p), ".json.tmp-") { // a manifest cut short: no snapshot data
		return err
	}
	head := make([]byte, 1)
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	f.Read(head)
	// An OpenPGP message starts with a packet tag byte with its high bit set.
	if head[0]&0x80 == 0 {
		e.t.Fatalf("%s is not OpenPGP data (first byte %#x)", p, head[0])
	}
	return nil
}
