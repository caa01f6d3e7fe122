// Command etcd-backupd takes encrypted etcd backups to object storage and proves they can be restored.
package main

import (
	"os"
	"runtime/debug"

	"github.com/etcd-backupd/etcd-backupd/snapstat"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

func main() {
	snapstat.RunChild()
	verify.RunChild()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50) // a backup's live heap is small and steady: trade a little CPU for RSS
	}
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}
