package etcdtest

import (
	"os/exec"
	"syscall"
)

// bindToParent makes the kernel kill the process when the test binary dies,
// so a crashed test leaves no etcd behind.
func bindToParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
