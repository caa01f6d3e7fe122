package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/crypto"
)

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
			return o, fmt.Errorf("etcd.password_file: %w", err)
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
		return nil, fmt.Errorf("encryption.recipients: %w", err)
	}
	return r, nil
}

// Identity loads the private key that decrypts backups.
func (c *Config) Identity() (*crypto.Identity, error) {
	if c.Encryption.PrivateKey == "" {
		return nil, fmt.Errorf("encryption.private_key: not set; it is needed to decrypt backups")
	}
	id, err := crypto.LoadIdentity(c.Encryption.PrivateKey, c.Encryption.PassphraseFile)
	if err != nil {
		return nil, fmt.Errorf("encryption.private_key: %w", err)
	}
	return id, nil
}

// DestinationURLs lists the destination URLs in config order.
func (c *Config) DestinationURLs() []string {
	urls := make([]string, len(c.Destinations))
	for i, d := range c.Destinations {
		urls[i] = d.URL
	}
	return urls
}
