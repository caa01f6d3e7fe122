package config

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/etcd-backupd/etcd-backupd/schedule"
	"github.com/etcd-backupd/etcd-backupd/workdir"
)

var clusterNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// Validate checks the whole config and reports every problem at once as *Errors. It reads no
// secret: key and password files are only checked to be readable, recipients are parsed.
func (c *Config) Validate() error {
	var errs Errors
	c.validateClusterName(&errs)
	c.validateEtcd(&errs)
	c.validateSchedule(&errs)
	checkDir(&errs, "spool_dir", c.SpoolDir)
	oneOf(&errs, "compression", c.Compression, CompressionZstd, CompressionNone)
	oneOf(&errs, "compression_level", c.CompressionLevel,
		CompressionLevelFastest, CompressionLevelDefault, CompressionLevelBetter, CompressionLevelBest)
	c.validateEncryption(&errs)
	c.validateDestinations(&errs)
	c.validateRetention(&errs)
	// A scratch dir derived from a spool_dir with control characters repeats its problem.
	derived := c.Verify.ScratchDir == filepath.Join(c.SpoolDir, "drill") && hasControl(c.SpoolDir, false)
	if (c.Verify.ScratchDir != "" || filepath.IsAbs(c.SpoolDir)) && !derived {
		checkDir(&errs, "verify.scratch_dir", c.Verify.ScratchDir)
	}
	c.validateHTTP(&errs)
	c.validateHA(&errs)
	oneOf(&errs, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	if c.Log.Format != "" {
		oneOf(&errs, "log.format", c.Log.Format, LogFormatJSON, LogFormatConsole)
	}
	c.validateNotify(&errs)
	c.validateMaintenance(&errs)
	c.validateJournal(&errs)
	c.validateKit(&errs)
	return errs.err()
}

func (c *Config) validateClusterName(errs *Errors) {
	switch n := c.ClusterName; {
	case n == "":
		errs.add("cluster_name", "required; it names the folder of this cluster in storage")
	case len(n) > 63:
		errs.add("cluster_name", "longer than 63 characters")
	case !clusterNameRE.MatchString(n):
		errs.add("cluster_name", "%q: use lowercase letters, digits and '-', starting and ending with a letter or digit", n)
	}
}

func (c *Config) validateSchedule(errs *Errors) {
	if c.Schedule.Backup == "" {
		errs.add("schedule.backup", "required: a cron spec such as @hourly or */15 * * * *")
	} else if _, _, err := schedule.Parse(c.Schedule.Backup); err != nil {
		errs.add("schedule.backup", "%v", err)
	}
	if c.Schedule.Verify == "" {
		return
	}
	if _, _, err := schedule.Parse(c.Schedule.Verify); err != nil {
		errs.add("schedule.verify", "%v", err)
	}
	if !c.Encryption.Disabled && c.Encryption.PrivateKey == "" {
		errs.add("schedule.verify", "restore drills need encryption.private_key; set it, or set "+
			`schedule.verify: "" and run "etcd-backupd verify --deep" from a host that holds the key`)
	}
}

func (c *Config) validateHTTP(errs *Errors) {
	if c.HTTP.Listen == "" {
		return
	}
	host, port, err := net.SplitHostPort(c.HTTP.Listen)
	if err != nil || strings.ContainsFunc(host, unicode.IsSpace) || hasControl(host, false) {
		errs.add("http.listen", "%q: want host:port, such as 127.0.0.1:9479 or :9479", c.HTTP.Listen)
		return
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		errs.add("http.listen", "%q: the port must be a number from 1 to 65535", c.HTTP.Listen)
	}
}

func (c *Config) validateHA(errs *Errors) {
	switch p := c.HA.Prefix; {
	case !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/"):
		errs.add("ha.prefix", "%q: must start and end with '/'", p)
	case strings.ContainsFunc(p, unicode.IsSpace) || hasControl(p, false):
		errs.add("ha.prefix", "%q: spaces and control characters are not allowed", p)
	}
	switch ttl := c.HA.TTL.D(); {
	case ttl < 2*time.Second:
		errs.add("ha.ttl", "%s: must be at least 2s", ttl)
	case ttl%time.Second != 0:
		errs.add("ha.ttl", "%s: must be a whole number of seconds", ttl)
	}
}

func checkDir(errs *Errors, field, dir string) {
	switch {
	case dir == "":
		errs.add(field, "required: an absolute path")
	case hasControl(dir, false):
		errs.add(field, "%q: control characters (such as NUL or a newline) in a path", dir)
	case !filepath.IsAbs(dir):
		errs.add(field, "%q: must be an absolute path", dir)
	default:
		addErr(errs, field, workdir.Check(dir)) // a shared or foreign directory is refused now, not at the first run
	}
}

func oneOf(errs *Errors, field, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		errs.add(field, "%q: use %s", v, orList(allowed))
	}
}

// orList writes "a, b or c".
func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return fmt.Sprintf("%s or %s", strings.Join(s[:len(s)-1], ", "), s[len(s)-1])
}
