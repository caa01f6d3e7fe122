//go:build !linux

package etcdtest

import "os/exec"

// bindToParent does nothing where the kernel offers no parent-death signal.
func bindToParent(*exec.Cmd) {}
