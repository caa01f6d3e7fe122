package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSystemdNotify runs the daemon as systemd would with Type=notify and WatchdogSec, and reads what
// it sends on the notify socket.
func TestSystemdNotify(t *testing.T) {
	e := newEnv(t, 10)
	e.run("config", "validate") // writes the config file
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cmd := exec.Command(buildBinary(t), "--config", e.cfgPth, "run")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=400000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	got := map[string]bool{}
	buf := make([]byte, 256)
	for _, want := range []string{"READY=1", "WATCHDOG=1", "STOPPING=1"} {
		if want == "STOPPING=1" {
			cmd.Process.Signal(syscall.SIGTERM)
		}
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		for !got[want] {
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %s: %v (got %v)", want, err, got)
			}
			for _, line := range strings.Split(string(buf[:n]), "\n") {
				got[line] = true
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v", err)
	}
}
