// Package maintain runs day-2 maintenance on a live etcd cluster, in the order that keeps it
// available: preconditions first (every member healthy, one leader, raft in step, a quorum left
// while one member stalls), then a backup through the caller's hook, optional compaction, then
// defragmentation one member at a time, followers first; the leader hands leadership to a member
// already done and is defragmented last, as a follower. RemediateNoSpace runs the NOSPACE runbook
// end to end with the same machinery and disarms the alarm once every member is back under quota.
//
// The package changes nothing before its preconditions hold and the backup hook succeeded, and
// stops at the first member that does not come back, leaving the others untouched.
package maintain
