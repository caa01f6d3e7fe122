// Package backup takes one backup in one pass: the snapshot stream goes through snapshot status and,
// at the same time, through zstd and OpenPGP to the spool file and every destination. The manifest is
// written last, and only where every stage and every Close succeeded.
package backup
