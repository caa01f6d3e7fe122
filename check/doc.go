// Package check is the two-minute baseline of an etcd cluster and its backups: it turns what
// cluster.Health and the destinations show into findings, each with a severity and what to do, and
// writes the NOSPACE runbook with the exact commands for the cluster at hand.
package check
