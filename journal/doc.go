// Package journal is continuous backup: every event etcd applies, grouped by revision, written into
// segments that are compressed, encrypted to the backups' recipients and committed by a manifest
// written last, under <cluster_name>/wal/ at every destination.
//
// A segment holds the revisions [first, last] with no revision missing: a segment whose first
// revision is the last revision of another plus one continues it. A run of continuing segments that
// starts at or before the revision of a full backup makes every revision of the run restorable from
// that backup (Plan). The Recorder writes segments from a watch of the whole keyspace; package replay
// applies them to a restored database.
package journal
