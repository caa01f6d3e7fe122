// Package cluster talks to etcd: the mTLS client, member health and status, the choice of the member to
// snapshot, and the snapshot stream with its sha256 trailer check.
package cluster
