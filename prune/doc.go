// Package prune applies the retention policy to the backups at a destination and sweeps what
// failed or crashed writes left behind.
//
// One prune of one destination lists the snapshots folder once, the drills folder once and, where
// the store can, its unfinished writes once, whatever the number of backups. From them it takes the
// committed backups (the IDs with a manifest), the orphaned data objects (IDs without one) and the
// drill records. retention.Apply decides which backups to keep. Deletion removes the manifest
// first, then the data, then the backup's drill records, so a crash leaves an orphan that the
// next sweep removes, never a manifest without data.
//
// Safety rails, checked again before anything is deleted: an empty or invalid policy is refused,
// a plan that would remove every backup is refused, and the newest committed backup and the
// newest backup whose last drill succeeded are never removed.
//
// The sweeper removes, for keys that parse as backup IDs only:
//   - data objects without a manifest older than the grace period;
//   - drill records whose backup has no manifest;
//   - unfinished writes older than the grace period (file-store temp files, S3 incomplete
//     multipart uploads) at stores that implement PendingStore;
//   - spool files (*.db.part) left by a crash, when the spool lock is free.
//
// Prunes may run at the same time on several nodes: deleting an object that is already gone is
// not an error.
package prune
