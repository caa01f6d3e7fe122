// Package runbook writes the commands and steps etcd-backupd prints for an operator to follow:
// shell-quoted so that they can be pasted as they are.
package runbook

import (
	"regexp"
	"strings"
)

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,@%+-]+$`)

// Quote quotes s for a POSIX shell when it needs it.
func Quote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
