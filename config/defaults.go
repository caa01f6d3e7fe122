package config

import (
	"path/filepath"
	"time"
)

// Values of the enumerated keys.
const (
	SnapshotFromFollower = "follower"
	SnapshotFromLeader   = "leader"
	SnapshotFromAny      = "any"

	CompressionZstd = "zstd"
	CompressionNone = "none"

	CompressionLevelFastest = "fastest"
	CompressionLevelDefault = "default"
	CompressionLevelBetter  = "better"
	CompressionLevelBest    = "best"

	LogFormatJSON    = "json"
	LogFormatConsole = "console"
)

// Defaults. The TLS paths are those of a kubeadm control-plane node.
const (
	DefaultEndpoint        = "https://127.0.0.1:2379"
	DefaultCACert          = "/etc/kubernetes/pki/etcd/ca.crt"
	DefaultCert            = "/etc/kubernetes/pki/etcd/healthcheck-client.crt"
	DefaultKey             = "/etc/kubernetes/pki/etcd/healthcheck-client.key"
	DefaultDialTimeout     = 5 * time.Second
	DefaultSnapshotTimeout = time.Hour
	DefaultBackupSchedule  = "@hourly"
	DefaultVerifySchedule  = "@monthly"
	DefaultSpoolDir        = "/var/lib/etcd-backupd"
	DefaultListen          = "127.0.0.1:9479"
	DefaultHAPrefix        = "/etcd-backupd/"
	DefaultHATTL           = 10 * time.Second
)

// Default returns a Config with every default set. ClusterName, Destinations and the encryption
// recipients have no default. Verify.ScratchDir is derived from SpoolDir when a file is parsed.
func Default() *Config {
	return &Config{
		Etcd: Etcd{
			Endpoints:       []string{DefaultEndpoint},
			CACert:          DefaultCACert,
			Cert:            DefaultCert,
			Key:             DefaultKey,
			DialTimeout:     Duration(DefaultDialTimeout),
			SnapshotTimeout: Duration(DefaultSnapshotTimeout),
			SnapshotFrom:    SnapshotFromFollower,
		},
		Schedule:         Schedule{Backup: DefaultBackupSchedule, Verify: DefaultVerifySchedule},
		SpoolDir:         DefaultSpoolDir,
		Compression:      CompressionZstd,
		CompressionLevel: CompressionLevelFastest,
		HTTP:             HTTP{Listen: DefaultListen},
		HA:               HA{Prefix: DefaultHAPrefix, TTL: Duration(DefaultHATTL)},
		Log:              Log{Level: "info"},
		Maintenance:      defaultMaintenance(),
		Journal:          defaultJournal(),
		Kit:              defaultKit(),
	}
}

// finish derives the defaults that depend on other keys, drops empty lists, cleans paths and
// resolves relative file paths against dir.
func (c *Config) finish(dir string) {
	c.SpoolDir = cleanDir(c.SpoolDir)
	c.Verify.ScratchDir = cleanDir(c.Verify.ScratchDir)
	if c.Verify.ScratchDir == "" && filepath.IsAbs(c.SpoolDir) {
		c.Verify.ScratchDir = filepath.Join(c.SpoolDir, "drill")
	}
	if len(c.Etcd.Endpoints) == 0 {
		c.Etcd.Endpoints = nil
	}
	if len(c.Encryption.Recipients) == 0 {
		c.Encryption.Recipients = nil
	}
	if len(c.Destinations) == 0 {
		c.Destinations = nil
	}
	for _, p := range []*string{
		&c.Etcd.CACert, &c.Etcd.Cert, &c.Etcd.Key, &c.Etcd.PasswordFile,
		&c.Encryption.PrivateKey, &c.Encryption.PassphraseFile, &c.Notify.BearerTokenFile,
	} {
		*p = resolve(dir, *p)
	}
	for i := range c.Encryption.Recipients {
		c.Encryption.Recipients[i] = resolve(dir, c.Encryption.Recipients[i])
	}
	for i := range c.Destinations {
		c.Destinations[i].CAFile = resolve(dir, c.Destinations[i].CAFile)
	}
	c.finishKit()
}

// resolve makes a relative file path relative to dir; "" stays "".
func resolve(dir, p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// cleanDir cleans an absolute directory and leaves anything else for Validate to refuse.
func cleanDir(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return p
}
