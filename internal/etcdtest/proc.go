package etcdtest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// stopGrace is how long Stop waits after SIGTERM before it kills.
const stopGrace = 10 * time.Second

// Proc is one real etcd process. Stop, Kill and Start keep its data dir,
// ports and flags.
type Proc struct {
	Name, Endpoint, PeerURL, DataDir string

	bin     string
	args    []string
	pki     *PKI
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // the exit status, valid once done is closed
}

// Start starts the process, appending its output to its log file. It does not
// wait for readiness: a restarted member needs a quorum to answer, so call
// WaitReady (or Cluster.WaitReady once enough members run).
func (p *Proc) Start(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running() {
		t.Fatalf("start etcd %s: already running", p.Name)
	}
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("open log %s: %v", p.logPath, err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Stdout, cmd.Stderr = f, f
	bindToParent(cmd)
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		t.Fatalf("start etcd %s: %v", p.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		err := cmd.Wait()
		_ = f.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
}

// running reports whether the process was started and has not exited; p.mu is held.
func (p *Proc) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and waits for the exit, killing the process after a grace
// period. It does nothing when the process is not running.
func (p *Proc) Stop() { p.signal(syscall.SIGTERM) }

// Kill sends SIGKILL and waits for the exit. It does nothing when the process
// is not running.
func (p *Proc) Kill() { p.signal(syscall.SIGKILL) }

func (p *Proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	cmd, done, run := p.cmd, p.done, p.running()
	p.mu.Unlock()
	if !run {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(stopGrace):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Client returns a client for this member alone. It is closed on cleanup.
func (p *Proc) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, p.pki, p.Endpoint)
}

// WaitReady waits until the member answers a linearizable read.
func (p *Proc) WaitReady(t testing.TB) {
	t.Helper()
	p.waitReady(t, time.Now().Add(clusterReadyTimeout))
}

// waitReady polls a linearizable Get until it succeeds, the process exits or
// the deadline passes.
func (p *Proc) waitReady(t testing.TB, deadline time.Time) {
	t.Helper()
	c := p.Client(t)
	defer c.Close()
	var err error
	for time.Now().Before(deadline) {
		p.mu.Lock()
		run, done, exitErr := p.running(), p.done, p.err
		p.mu.Unlock()
		if !run {
			t.Fatalf("etcd %s exited before ready: %v (log: %s)", p.Name, exitErr, p.logPath)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		go func() {
			select {
			case <-done:
				cancel()
			case <-ctx.Done():
			}
		}()
		_, err = c.Get(ctx, "health")
		cancel()
		if err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("etcd %s not ready by the deadline: %v (log: %s)", p.Name, err, p.logPath)
}
