package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/backup"
	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
	"github.com/etcd-backupd/etcd-backupd/prune"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// This file and the others named translate_*.go are the one place that turns the config into each
// package's options: adding a key means adding it here.

// ClusterOptions translates the etcd section, reading the password file.
func (c *Config) ClusterOptions() (cluster.Options, error) {
	o := cluster.Options{
		Endpoints:    c.Etcd.Endpoints,
		CACert:       c.Etcd.CACert,
		Cert:         c.Etcd.Cert,
		Key:          c.Etcd.Key,
		Username:     c.Etcd.Username,
		DialTimeout:  c.Etcd.DialTimeout.D(),
		SnapshotFrom: c.Etcd.SnapshotFrom,
	}
	if c.Etcd.PasswordFile != "" {
		b, err := os.ReadFile(c.Etcd.PasswordFile)
		if err != nil {
			return o, &Error{"etcd.password_file", err}
		}
		o.Password = strings.TrimRight(string(b), "\r\n")
	}
	return o, nil
}

// Recipients loads the public keys backups are encrypted to; nil when encryption is disabled.
func (c *Config) Recipients() (*crypto.Recipients, error) {
	if c.Encryption.Disabled {
		return nil, nil
	}
	r, err := crypto.LoadRecipients(c.Encryption.Recipients)
	if err != nil {
		return nil, &Error{"encryption.recipients", err}
	}
	return r, nil
}

// Identity loads the private key that decrypts backups.
func (c *Config) Identity() (*crypto.Identity, error) {
	if c.Encryption.PrivateKey == "" {
		return nil, &Error{"encryption.private_key", fmt.Errorf("not set; it is needed to decrypt backups")}
	}
	id, err := crypto.LoadIdentity(c.Encryption.PrivateKey, c.Encryption.PassphraseFile)
	if err != nil {
		return nil, &Error{"encryption.private_key", err}
	}
	return id, nil
}

// IdentityFor loads the private key when backup m is encrypted, and nil when it is not.
func (c *Config) IdentityFor(m *catalog.Manifest) (*crypto.Identity, error) {
	if m.Object.Encryption == catalog.EncryptionNone {
		return nil, nil
	}
	if c.Encryption.PrivateKey == "" {
		return nil, &Error{"encryption.private_key", fmt.Errorf("not set; backup %s is encrypted and "+
			"only the private key decrypts it", m.ID)}
	}
	return c.Identity()
}

// DestinationURLs lists the destination URLs in config order.
func (c *Config) DestinationURLs() []string {
	urls := make([]string, len(c.Destinations))
	for i, d := range c.Destinations {
		urls[i] = d.URL
	}
	return urls
}

// BackupOptions are the options of one backup, without the destinations and the logger, which
// the caller sets. They load the recipients' keys.
func (c *Config) BackupOptions() (backup.Options, error) {
	rcpt, err := c.Recipients()
	if err != nil {
		return backup.Options{}, err
	}
	o := backup.Options{
		Cluster:          c.ClusterName,
		SpoolDir:         c.SpoolDir,
		Compression:      c.Compression,
		CompressionLevel: c.CompressionLevel,
		Recipients:       rcpt,
		SnapshotFrom:     c.Etcd.SnapshotFrom,
		SnapshotTimeout:  c.Etcd.SnapshotTimeout.D(),
		ToolVersion:      buildinfo.Get(),
	}
	if k, ok := c.KitOptions(); ok {
		o.Kit = &k
	}
	return o, nil
}

// PruneOptions are the options of prune: the retention policy, the backup timeout the sweeper's
// grace period never falls below, and the spool dir. The caller sets the logger.
func (c *Config) PruneOptions(dryRun bool) (prune.Options, error) {
	p, err := c.RetentionPolicy()
	if err != nil {
		return prune.Options{}, err
	}
	return prune.Options{
		Policy:        p,
		DryRun:        dryRun,
		BackupTimeout: c.Etcd.SnapshotTimeout.D(),
		SpoolDir:      c.SpoolDir,
	}, nil
}

// VerifyOptions are the options of every verification, without the catalog, the logger and the
// progress bar, which the caller sets. id decrypts the backup; nil for a plaintext one.
func (c *Config) VerifyOptions(id *crypto.Identity) verify.Options {
	return verify.Options{Identity: id, ScratchDir: c.Verify.ScratchDir, ToolVersion: buildinfo.Get()}
}
