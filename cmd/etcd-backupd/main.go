// Command etcd-backupd takes encrypted etcd backups to object storage and proves they can be restored.
package main

import (
	"os"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

func main() {
	cluster.RunStatusChild()
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}
