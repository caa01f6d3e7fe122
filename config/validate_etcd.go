package config

import (
	"fmt"
	"net/url"
	"strconv"
)

func (c *Config) validateEtcd(errs *Errors) {
	e := &c.Etcd
	validateEndpoints(errs, e.Endpoints)
	if checkTLSFile(errs, "etcd.cacert", e.CACert, DefaultCACert) {
		addCertErr(errs, "etcd.cacert", checkCABundle(e.CACert))
	}
	if checkTLSFile(errs, "etcd.cert", e.Cert, DefaultCert) {
		addCertErr(errs, "etcd.cert", checkClientCert(e.Cert))
	}
	checkTLSFile(errs, "etcd.key", e.Key, DefaultKey)
	if e.Cert != "" && e.Key == "" {
		errs.add("etcd.key", "required when etcd.cert is set")
	}
	if e.Key != "" && e.Cert == "" {
		errs.add("etcd.cert", "required when etcd.key is set")
	}
	switch {
	case hasControl(e.Username, false):
		errs.add("etcd.username", "contains control characters")
	case e.Username != "" && e.PasswordFile == "":
		errs.add("etcd.password_file", "required when etcd.username is set")
	case e.Username == "" && e.PasswordFile != "":
		errs.add("etcd.username", "required when etcd.password_file is set")
	case e.PasswordFile != "":
		if err := checkFile(e.PasswordFile, true); err != nil {
			errs.add("etcd.password_file", "%v", err)
		}
	}
	if e.DialTimeout <= 0 {
		errs.add("etcd.dial_timeout", "must be > 0")
	}
	if e.SnapshotTimeout <= 0 {
		errs.add("etcd.snapshot_timeout", "must be > 0")
	}
	oneOf(errs, "etcd.snapshot_from", e.SnapshotFrom, SnapshotFromFollower, SnapshotFromLeader, SnapshotFromAny)
}

func validateEndpoints(errs *Errors, endpoints []string) {
	if len(endpoints) == 0 {
		errs.add("etcd.endpoints", "at least one is required, such as https://127.0.0.1:2379")
		return
	}
	schemes := map[string]bool{}
	seen := map[string]int{}
	for i, ep := range endpoints {
		field := fmt.Sprintf("etcd.endpoints[%d]", i)
		u, err := url.Parse(ep)
		if err != nil || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") ||
			u.Hostname() == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" {
			errs.add(field, "want an http(s)://host:port URL, such as https://10.0.0.1:2379")
			continue
		}
		if err := checkPort(u.Port()); err != nil {
			errs.add(field, "%v", err)
			continue
		}
		if j, dup := seen[u.Host]; dup {
			errs.add(field, "same member as etcd.endpoints[%d]", j)
		}
		seen[u.Host] = i
		schemes[u.Scheme] = true
	}
	if len(schemes) > 1 {
		errs.add("etcd.endpoints", "mixes http:// and https://; use one scheme")
	}
}

// checkTLSFile checks a TLS file that is set; a missing default gets a hint.
// It reports whether the file is there to be read further.
func checkTLSFile(errs *Errors, field, path, def string) bool {
	if path == "" {
		return false
	}
	err := checkFile(path, true)
	if err == nil {
		return true
	}
	if path == def {
		errs.add(field, "%v (the kubeadm default path; set %s to your file, or to \"\" with http:// endpoints)",
			err, field)
		return false
	}
	errs.add(field, "%v", err)
	return false
}

// checkPort checks the port of a URL: a number from 1 to 65535.
func checkPort(port string) error {
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %s out of range: want 1 to 65535", port)
	}
	return nil
}
