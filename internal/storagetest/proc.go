package storagetest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

const (
	readyTimeout = 60 * time.Second // servers built from source start in seconds
	stopGrace    = 10 * time.Second
	logTail      = 4000 // bytes of a server log shown when a test fails
)

// proc is one server process; it can be stopped and started again with the
// same arguments, port and data.
type proc struct {
	name, bin, logPath string
	args, env          []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// newProc prepares a server whose log goes to dir/<name>.log and is shown
// when the test fails.
func newProc(t testing.TB, name, bin, dir string, args, env []string) *proc {
	p := &proc{name: name, bin: bin, args: args, env: env, logPath: filepath.Join(dir, name+".log")}
	t.Cleanup(func() {
		p.Stop(t)
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, tail(p.logPath, logTail))
		}
	})
	return p
}

// Start runs the process; it does not wait for readiness.
func (p *proc) Start(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		t.Fatalf("start %s: already running", p.name)
	}
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("open %s log: %v", p.name, err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	p.cmd, p.done = cmd, done
}

// Stop terminates the process group (SIGTERM, then SIGKILL after a grace
// period) and waits for it. It is a no-op when the process is not running.
func (p *proc) Stop(t testing.TB) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	_ = syscall.Kill(-pgid, syscall.SIGCONT) // a paused server must run to see the SIGTERM
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	p.cmd, p.done = nil, nil
}

// Pause stops the process group with SIGSTOP, as a hung server or a blackholed endpoint: connections
// stay open, nothing is answered.
func (p *proc) Pause(t testing.TB) { p.signal(t, syscall.SIGSTOP) }

// Resume continues a paused process group with SIGCONT.
func (p *proc) Resume(t testing.TB) { p.signal(t, syscall.SIGCONT) }

func (p *proc) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	// Errorf, not Fatalf: a test may pause a server from a goroutine of the code under test.
	if p.cmd == nil {
		t.Errorf("signal %s: not running", p.name)
		return
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil {
		t.Errorf("signal %s: %v", p.name, err)
	}
}

// exited reports whether a started process has exited.
func (p *proc) exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		return true
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitReady polls check until it returns nil, the process exits or the
// timeout passes.
func (p *proc) waitReady(t testing.TB, check func() error) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if p.exited() {
			t.Fatalf("%s exited before it was ready: %v\n%s", p.name, err, tail(p.logPath, logTail))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %s: %v\n%s", p.name, readyTimeout, err, tail(p.logPath, logTail))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort returns a loopback TCP port that nothing listens on now.
func FreePort(t testing.TB) int { return testgate.FreePort(t) }

// ClosedAddr returns a loopback host:port that refuses connections.
func ClosedAddr(t testing.TB) string {
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}

// Random returns n random bytes as lowercase hex (2n characters).
func Random(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// tail returns the last n bytes of a file, or why it cannot.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	off := max(fi.Size()-n, 0)
	b := make([]byte, fi.Size()-off)
	k, err := f.ReadAt(b, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b[:k])
}
