package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// signalBound is how soon after SIGINT or SIGTERM a command must have exited, removing what it wrote.
const signalBound = time.Second

// signalEnv is a member holding about 200 MB, one backup of it in a file:// destination, and the
// key that decrypts it.
func signalEnv(t *testing.T) *env {
	e := newEnv(t, 0).withPrivateKey()
	etcdtest.Fill(t, e.etcd.Client(t), 50000, 4096, 3)
	if _, stderr, code := e.run("run-once"); code != 0 {
		t.Fatalf("run-once: exit %d: %s", code, stderr)
	}
	return e
}

// longCommand is one long command of the CLI and the file whose appearance marks a stage of it.
type longCommand struct {
	name  string
	args  func(out string) []string
	stage string // a glob under out or the scratch dir
}

func longCommands() []longCommand {
	fetch := func(out string) []string { return []string{"fetch", "latest", "-o", filepath.Join(out, "snap.db")} }
	restore := func(out string) []string {
		return []string{"restore", "latest", "--data-dir", filepath.Join(out, "etcd")}
	}
	deep := func(string) []string { return []string{"verify", "latest", "--deep"} }
	return []longCommand{
		{"fetch", fetch, "snap.db.part"},
		{"restore download", restore, "etcd.restore-*/snapshot.db"},
		{"restore step", restore, "etcd.restore-*/data/member/snap/db"},
		// A deep verification downloads straight into the drill member's database; the restore step
		// makes its WAL.
		{"verify --deep download", deep, "drill-*/data/member/snap/db"},
		{"verify --deep restore step", deep, "drill-*/data/member/wal*"},
	}
}

// TestSignalsStopLongCommands sends SIGTERM and SIGINT to fetch, restore and verify --deep of the
// real binary, reading a file:// destination, at each of their long stages: each exits non-zero
// within signalBound and leaves nothing behind, plaintext above all.
func TestSignalsStopLongCommands(t *testing.T) {
	e := signalEnv(t)
	bin := buildBinary(t)
	for _, c := range longCommands() {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(c.name+" "+sig.String(), func(t *testing.T) {
				out := t.TempDir()
				cmd := e.start(t, bin, c.args(out))
				e.waitStage(t, cmd, out, c.stage)
				sent := time.Now()
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err := cmd.Wait()
				took := time.Since(sent)
				t.Logf("exited %v after the signal: %v", took, err)
				if err == nil {
					t.Fatalf("%s exited 0 after %s", c.name, sig)
				}
				if took > signalBound {
					t.Fatalf("%s exited %v after %s, want within %v", c.name, took, sig, signalBound)
				}
				e.assertNothingLeft(t, out)
			})
		}
	}
}

// TestKilledRestoreLeftovers SIGKILLs restore and verify --deep at each long stage: what they leave
// (a plain snapshot, half a data dir) is removed by the next run to the same place, which succeeds.
func TestKilledRestoreLeftovers(t *testing.T) {
	e := signalEnv(t)
	bin := buildBinary(t)
	for _, c := range longCommands() {
		if c.name == "fetch" {
			continue // a fetch's leftover is FILE.part itself: TestSignalsStopLongCommands' stage
		}
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			cmd := e.start(t, bin, c.args(out))
			e.waitStage(t, cmd, out, c.stage)
			cmd.Process.Kill()
			cmd.Wait()
			left := e.matches(out, strings.Split(c.stage, "/")[0])
			if len(left) == 0 {
				t.Fatalf("SIGKILL left nothing at %s to test with", c.stage)
			}
			waitUnlocked(t, left) // the restore child dies with its parent, a moment later
			if _, stderr, code := e.run(c.args(out)...); code != 0 {
				t.Fatalf("the next %s: exit %d: %s", c.name, code, stderr)
			}
			if left := e.matches(out, strings.Split(c.stage, "/")[0]); len(left) != 0 {
				t.Fatalf("the next %s left the leftovers %v", c.name, left)
			}
		})
	}
}

// waitUnlocked waits until no process holds the lock of any of dirs.
func waitUnlocked(t *testing.T, dirs []string) {
	t.Helper()
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("%s is still locked after the kill", d)
			}
			time.Sleep(10 * time.Millisecond)
		}
		f.Close()
	}
}

// start writes the config and starts the binary with args.
func (e *env) start(t *testing.T, bin string, args []string) *exec.Cmd {
	t.Helper()
	e.run("config", "validate") // writes the config file
	cmd := exec.Command(bin, append([]string{"--config", e.cfgPth}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// waitStage waits until a file matches the stage's glob under out or the scratch dir.
func (e *env) waitStage(t *testing.T, cmd *exec.Cmd, out, stage string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for len(e.matches(out, stage)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%v never reached %s", cmd.Args, stage)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// matches lists what matches glob under out and under the scratch dir.
func (e *env) matches(out, glob string) []string {
	a, _ := filepath.Glob(filepath.Join(out, glob))
	b, _ := filepath.Glob(filepath.Join(e.scratchDir(), glob))
	return append(a, b...)
}

// scratchDir is verify.scratch_dir as the config derives it.
func (e *env) scratchDir() string { return filepath.Join(e.cfg["spool_dir"].(string), "drill") }

// assertNothingLeft checks that out is empty and the scratch dir holds no drill dir.
func (e *env) assertNothingLeft(t *testing.T, out string) {
	t.Helper()
	if got := files(t, out); len(got) != 0 {
		t.Fatalf("%s holds %v", out, got)
	}
	if left := e.matches(out, "drill-*"); len(left) != 0 {
		t.Fatalf("the scratch dir holds %v", left)
	}
	if _, err := os.Stat(filepath.Join(out, "etcd")); err == nil {
		t.Fatal("a data dir was moved into place")
	}
}
