// Package config holds the YAML schema of etcd-backupd: strict decoding, defaults and validation.
//
// Decoding is strict: an unknown key, a duplicate key, a value of the wrong type or a second YAML
// document is an error that names the field path (for example `etcd.dial_timeout`). A key that is
// absent or null keeps its default. Relative file paths (certificates, keys, recipients, CA bundles,
// password and passphrase files) are resolved against the directory of the config file. Directories
// (spool_dir, verify.scratch_dir) must be absolute. Cron specs without a CRON_TZ= or TZ= prefix
// run in UTC, and retention counts days, weeks and months in the zone of schedule.backup.
package config
