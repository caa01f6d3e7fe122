package backup

import "syscall"

var errNoSpace error = syscall.ENOSPC
