// Package daemon runs the scheduled jobs (backup and retention, restore drills), serves /metrics,
// /healthz and /readyz, and stops gracefully.
package daemon
