// Package retention decides which backups to keep and which to remove.
//
// It is a pure policy: Apply takes a list of backups, a Policy and the
// current time, and returns one Decision per backup with the reasons it is
// kept. It performs no I/O and imports the standard library alone.
//
// A backup is kept if any rule keeps it:
//
//   - keep_last N keeps the N newest backups ("last N").
//   - keep_hourly, keep_daily, keep_weekly and keep_monthly N keep the newest
//     backup in each of the N most recent periods that hold a backup; periods
//     without a backup do not count ("daily 2026-11-20").
//   - keep_within D keeps every backup younger than D, measured from the
//     newest backup rather than from now, so a run of failed backups never
//     eats history ("within 168h").
//   - The newest backup ("newest") and the newest verified backup
//     ("newest verified") are never removed.
//
// Periods are computed in Policy.Location (UTC when nil):
//
//   - An hour is the wall-clock hour, a day the calendar date, a week the
//     ISO 8601 week ("2026-W53") and a month the calendar month, all in that
//     zone. A day is therefore 23 or 25 hours long on DST change days.
//   - The hour skipped when clocks go forward does not exist, so it is never
//     a period.
//   - The hour repeated when clocks go back is one period: both occurrences
//     share the label (for example "hourly 2026-10-25T02" in Europe/Paris),
//     and only the newest backup of the two is kept for it.
//
// The newest backup used by keep_within is the newest one not dated after
// now, so a backup from a node whose clock runs ahead cannot push the window
// forward. Backups dated after that point are younger than any window and
// are kept by keep_within.
//
// Apply never removes anything under a policy that does not validate: an
// empty or negative policy keeps every backup, with a reason saying so.
package retention
