// Package replay rebuilds an etcd database at a later revision for point-in-time restore. It replays
// the journal's watch events into a copy of a full backup through etcd's own mvcc and lease code, one
// write transaction per original revision, so that the database ends at exactly the original
// revision and every key has the original value, create and mod revisions, version and lease. The
// file then restores with etcdutl like any snapshot (with SkipHashCheck: it has no sha256 trailer).
//
// Watch events do not carry everything etcd holds. A lease granted after the base backup is known
// only by its ID: it is granted with Options.LeaseTTL. A revoked or expired lease shows only as the
// deletion of its keys: the lease itself stays in the database, with no keys, and expires after the
// restored cluster elects a leader. Neither adds a revision.
package replay
