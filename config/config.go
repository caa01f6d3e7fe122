package config

// DefaultPath is where the daemon looks for its config file.
const DefaultPath = "/etc/etcd-backupd/config.yaml"

// Config is the whole config file.
type Config struct {
	ClusterName      string        `yaml:"cluster_name"` // required; names the folder in storage
	Etcd             Etcd          `yaml:"etcd"`
	Schedule         Schedule      `yaml:"schedule"`
	SpoolDir         string        `yaml:"spool_dir"`         // absolute; default /var/lib/etcd-backupd
	Compression      string        `yaml:"compression"`       // zstd | none; default zstd
	CompressionLevel string        `yaml:"compression_level"` // fastest | default | better | best; default fastest
	Encryption       Encryption    `yaml:"encryption"`
	Destinations     []Destination `yaml:"destinations"`        // at least one
	Retention        *Retention    `yaml:"retention,omitempty"` // nil: the default policy
	Verify           Verify        `yaml:"verify"`
	HTTP             HTTP          `yaml:"http"`
	HA               HA            `yaml:"ha"`
	Log              Log           `yaml:"log"`
	Notify           Notify        `yaml:"notify"`
	Maintenance      Maintenance   `yaml:"maintenance"`
	Journal          Journal       `yaml:"journal"`
	Kit              Kit           `yaml:"kit"`
}

// Etcd says how to reach the cluster.
type Etcd struct {
	Endpoints       []string `yaml:"endpoints"` // http(s)://host:port
	CACert          string   `yaml:"cacert"`    // "" is allowed only with http:// endpoints or system roots
	Cert            string   `yaml:"cert"`
	Key             string   `yaml:"key"`
	Username        string   `yaml:"username"`      // etcd RBAC; needs PasswordFile
	PasswordFile    string   `yaml:"password_file"` // holds the password; it is never inline
	DialTimeout     Duration `yaml:"dial_timeout"`
	SnapshotTimeout Duration `yaml:"snapshot_timeout"`
	SnapshotFrom    string   `yaml:"snapshot_from"` // follower | leader | any
}

// Schedule holds the cron specs of the jobs. Without a CRON_TZ= or TZ= prefix a spec runs in UTC.
type Schedule struct {
	Backup string `yaml:"backup"` // default "@hourly"
	Verify string `yaml:"verify"` // restore drill; default "@monthly"; "" turns it off
	// Maintain runs maintain on the elected daemon: defragmentation in the safe order, after a
	// verified backup; default "" (off).
	Maintain string `yaml:"maintain"`
}

// Encryption configures OpenPGP.
type Encryption struct {
	Recipients     []string `yaml:"recipients"`      // public key files, armored or binary
	PrivateKey     string   `yaml:"private_key"`     // only where backups are decrypted
	PassphraseFile string   `yaml:"passphrase_file"` // unlocks PrivateKey
	Disabled       bool     `yaml:"disabled"`        // true stores plaintext
}

// Destination is one place that receives every backup.
type Destination struct {
	URL               string   `yaml:"url"`                // s3://, gs://, azblob:// or file:///
	CAFile            string   `yaml:"ca_file"`            // PEM bundle trusted besides the system roots (s3, gs, azblob)
	PartSize          string   `yaml:"part_size"`          // multipart part size: bytes or 16MiB; "" is the default
	UploadConcurrency int      `yaml:"upload_concurrency"` // parts in flight (s3, azblob); 0 is the default
	UploadTimeout     Duration `yaml:"upload_timeout"`     // bounds one upload; 0 is none
	StallTimeout      Duration `yaml:"stall_timeout"`      // drop the destination after this long without progress; 0 is 60s
	// ObjectLock retains every backup, manifest and journal segment written here (s3 and gs).
	ObjectLock *ObjectLock `yaml:"object_lock,omitempty"`
}

// ObjectLock is a destination's object lock (WORM): what is written is retained at least
// MinRetention, and prune never deletes a retained object.
type ObjectLock struct {
	Mode         string   `yaml:"mode"`          // governance | compliance
	MinRetention Duration `yaml:"min_retention"` // at least 1s; e.g. 7d is written 168h
}

// Retention is the retention section. A backup is kept if any rule keeps it. Once a keep_* rule
// is set, a rule left out is 0; a section that sets only Enabled keeps the default policy.
type Retention struct {
	// Enabled: false makes run and run-once delete nothing (no retention after a backup), so that
	// the node's credentials need no delete permission; prune still applies the policy, from a
	// host whose credentials may delete. nil is true.
	Enabled     *bool    `yaml:"enabled"`
	KeepLast    int      `yaml:"keep_last"`
	KeepHourly  int      `yaml:"keep_hourly"`
	KeepDaily   int      `yaml:"keep_daily"`
	KeepWeekly  int      `yaml:"keep_weekly"`
	KeepMonthly int      `yaml:"keep_monthly"`
	KeepWithin  Duration `yaml:"keep_within"`
}

// Verify configures verification and restore drills.
type Verify struct {
	ScratchDir string `yaml:"scratch_dir"` // default <spool_dir>/drill
}

// HTTP configures the /metrics, /healthz and /readyz server.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port; "" turns the server off
}

// HA configures leader election between the daemons of one cluster.
type HA struct {
	Enabled bool     `yaml:"enabled"` // only the elected daemon runs the scheduled jobs
	Prefix  string   `yaml:"prefix"`  // etcd key prefix; starts and ends with '/'
	TTL     Duration `yaml:"ttl"`     // lease TTL; whole seconds, at least 2s
}

// Log configures the logger.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // json | console; unset: console on a terminal, else json
}

// Notify configures the webhook notified of failed backups, failed drills and recoveries.
type Notify struct {
	WebhookURL      string `yaml:"webhook_url"`       // http(s); "" turns notifications off
	BearerTokenFile string `yaml:"bearer_token_file"` // optional: holds the token sent as "Authorization: Bearer"
	Format          string `yaml:"format"`            // json | slack; "" is json
}
