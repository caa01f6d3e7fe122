// Package backup takes one backup in one pass: the snapshot stream goes to the spool file and, at the
// same time, through zstd and OpenPGP to every destination. The manifest is written last, and only where
// every stage and every Close succeeded.
package backup
