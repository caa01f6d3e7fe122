package config

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/etcd-backupd/etcd-backupd/kit"
)

// Kit configures the restore kit: the files stored, encrypted, with each backup so that a kubeadm
// control plane can be brought back (the etcd PKI, the static pod manifests, the EncryptionConfiguration).
type Kit struct {
	Enabled bool     `yaml:"enabled"` // default false
	Paths   []string `yaml:"paths"`   // absolute files or directories; default kubeadm's etcd PKI and manifests
	// EncryptionConfig is auto (the file named by --encryption-provider-config in a kube-apiserver
	// manifest among the kit's files), "" (none) or an absolute path. Default auto.
	EncryptionConfig string `yaml:"encryption_config"`
}

// DefaultKitPaths are where kubeadm keeps the etcd PKI and the manifests of etcd and kube-apiserver.
var DefaultKitPaths = []string{
	"/etc/kubernetes/pki/etcd",
	"/etc/kubernetes/manifests/etcd.yaml",
	"/etc/kubernetes/manifests/kube-apiserver.yaml",
}

func defaultKit() Kit {
	return Kit{Paths: slices.Clone(DefaultKitPaths), EncryptionConfig: kit.Auto}
}

// finishKit cleans the absolute paths; Validate refuses the others.
func (c *Config) finishKit() {
	if len(c.Kit.Paths) == 0 {
		c.Kit.Paths = nil
	}
	for i, p := range c.Kit.Paths {
		c.Kit.Paths[i] = cleanDir(p)
	}
	if c.Kit.EncryptionConfig != kit.Auto {
		c.Kit.EncryptionConfig = cleanDir(c.Kit.EncryptionConfig)
	}
}

func (c *Config) validateKit(errs *Errors) {
	k := c.Kit
	if k.Enabled && c.Encryption.Disabled {
		errs.add("kit.enabled", "the kit holds private keys and is stored only encrypted: "+
			"turn encryption on (encryption.disabled: false) or the kit off")
	}
	if k.Enabled && len(k.Paths) == 0 {
		errs.add("kit.paths", "at least one path is required with kit.enabled")
	}
	for i, p := range k.Paths {
		checkKitPath(errs, fmt.Sprintf("kit.paths[%d]", i), p)
		if j := slices.Index(k.Paths[:i], p); j >= 0 {
			errs.add(fmt.Sprintf("kit.paths[%d]", i), "%q: same as kit.paths[%d]", p, j)
		}
	}
	switch e := k.EncryptionConfig; {
	case e == kit.Auto || e == "":
	case !filepath.IsAbs(e) && !hasControl(e, false):
		errs.add("kit.encryption_config", `%q: use auto, "" or an absolute path`, e)
	default:
		checkKitPath(errs, "kit.encryption_config", e)
	}
}

// checkKitPath wants a clean absolute path other than "/": the kit is kilobytes of PKI and manifests.
func checkKitPath(errs *Errors, field, p string) {
	switch {
	case hasControl(p, false):
		errs.add(field, "%q: control characters (such as NUL or a newline) in a path", p)
	case !filepath.IsAbs(p):
		errs.add(field, "%q: must be an absolute path", p)
	case filepath.Clean(p) != p:
		errs.add(field, "%q: write it %q", p, filepath.Clean(p))
	case p == "/":
		errs.add(field, `"/": the whole file system; name the files and directories to keep`)
	}
}

// KitOptions are the options of kit.Collect; ok is false when the kit is off.
func (c *Config) KitOptions() (o kit.Options, ok bool) {
	if !c.Kit.Enabled {
		return o, false
	}
	return kit.Options{Paths: slices.Clone(c.Kit.Paths), EncryptionConfig: c.Kit.EncryptionConfig,
		MaxBytes: kit.DefaultMaxBytes}, true
}
