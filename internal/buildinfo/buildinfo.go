// Package buildinfo holds the version stamped in at build time.
package buildinfo

import "runtime/debug"

// Version is set with -ldflags "-X github.com/etcd-backupd/etcd-backupd/internal/buildinfo.Version=v1.2.3".
var Version = ""

// Get returns the version, falling back to the module version or "dev".
func Get() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
