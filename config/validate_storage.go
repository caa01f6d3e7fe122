package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

func (c *Config) validateEncryption(errs *Errors) {
	enc := &c.Encryption
	if len(enc.Recipients) == 0 && !enc.Disabled {
		errs.add("encryption.recipients", "at least one OpenPGP public key file is required "+
			"(or set encryption.disabled: true to store plaintext)")
	}
	for i, r := range enc.Recipients {
		field := fmt.Sprintf("encryption.recipients[%d]", i)
		if r == "" {
			errs.add(field, "empty path")
			continue
		}
		if err := checkFile(r, true); err != nil {
			errs.add(field, "%v", err)
			continue
		}
		if _, err := crypto.LoadRecipients([]string{r}); err != nil {
			errs.add(field, "%v", err)
		}
	}
	if enc.PrivateKey != "" {
		if err := checkFile(enc.PrivateKey, true); err != nil {
			errs.add("encryption.private_key", "%v", err)
		}
	}
	if enc.PassphraseFile != "" {
		if enc.PrivateKey == "" {
			errs.add("encryption.passphrase_file", "set, but encryption.private_key is not")
		} else if err := checkFile(enc.PassphraseFile, true); err != nil {
			errs.add("encryption.passphrase_file", "%v", err)
		}
	}
}

func (c *Config) validateDestinations(errs *Errors) {
	if len(c.Destinations) == 0 {
		errs.add("destinations", "at least one is required, such as - url: s3://bucket/etcd")
		return
	}
	seen := map[string]int{}
	for i, d := range c.Destinations {
		field := fmt.Sprintf("destinations[%d]", i)
		loc, err := destinationLocation(d.URL)
		if err != nil {
			errs.add(field+".url", "%v", err)
		} else if j, dup := seen[loc]; dup {
			errs.add(field+".url", "same location as destinations[%d]", j)
		} else {
			seen[loc] = i
		}
		validateDestinationOptions(errs, field, d, loc)
	}
}

// validateDestinationOptions checks the upload options of one destination;
// loc is "" when its URL is invalid.
func validateDestinationOptions(errs *Errors, field string, d Destination, loc string) {
	scheme, _, _ := strings.Cut(loc, "://")
	isFile := scheme == "file"
	if d.CAFile != "" {
		if isFile {
			errs.add(field+".ca_file", "applies to s3, gs and azblob URLs, not file://")
		} else if err := checkFile(d.CAFile, true); err != nil {
			errs.add(field+".ca_file", "%v", err)
		} else {
			addErr(errs, field+".ca_file", checkCABundle(d.CAFile))
		}
	}
	if d.PartSize != "" {
		if n, err := ParseSize(d.PartSize); err != nil {
			errs.add(field+".part_size", "%v", err)
		} else if lo, hi, ok := storage.PartSizeLimits(scheme); ok && (n < lo || n > hi) {
			errs.add(field+".part_size", "%s: must be from %s to %s for %s",
				d.PartSize, sizeString(lo), sizeString(hi), scheme)
		}
	}
	if isFile && (d.PartSize != "" || d.UploadConcurrency != 0) {
		errs.add(field, "part_size and upload_concurrency apply to s3, gs and azblob URLs, not file://")
	}
	if l := d.ObjectLock; l != nil {
		switch {
		case loc != "" && scheme != "s3" && scheme != "gs":
			errs.add(field+".object_lock", "applies to s3:// and gs:// URLs only (Azure immutability is not supported yet)")
		case l.Mode != storage.LockGovernance && l.Mode != storage.LockCompliance:
			errs.add(field+".object_lock.mode", "%q: want governance or compliance", l.Mode)
		}
		if l.MinRetention < Duration(time.Second) {
			errs.add(field+".object_lock.min_retention", "%s: want at least 1s, e.g. 168h for 7 days", l.MinRetention.D())
		}
	}
	if d.UploadConcurrency < 0 || d.UploadConcurrency > 64 {
		errs.add(field+".upload_concurrency", "%d: must be from 0 (the default) to 64", d.UploadConcurrency)
	}
	if d.StallTimeout < 0 {
		errs.add(field+".stall_timeout", "%s: must not be negative (0 means the default, 60s)", d.StallTimeout)
	}
	if d.UploadTimeout < 0 {
		errs.add(field+".upload_timeout", "%s: must not be negative (0 means none)", d.UploadTimeout)
	}
}

// sizeString writes a size in the largest binary unit that divides it.
func sizeString(n int64) string {
	for _, u := range sizeUnits[:3] {
		if n%u.factor == 0 {
			return fmt.Sprintf("%d%s", n/u.factor, u.suffix)
		}
	}
	return fmt.Sprintf("%d", n)
}

// destinationLocation checks a destination URL and returns where it stores, without the query.
// Errors quote only the scheme or the path, so that nothing secret is echoed.
func destinationLocation(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("not a valid URL: %v", err)
	}
	if u.User != nil {
		return "", errors.New("credentials do not belong in the URL; the storage drivers read them from the environment")
	}
	switch u.Scheme {
	case "s3", "gs", "azblob":
		if u.Host == "" {
			return "", fmt.Errorf("%s:// URL names no bucket, as in %s://my-bucket/etcd", u.Scheme, u.Scheme)
		}
	case "file":
		if (u.Host != "" && u.Host != "localhost") || u.Opaque != "" || !path.IsAbs(u.Path) {
			return "", errors.New("file:// needs an absolute path, as in file:///var/backups/etcd")
		}
		u.Host = ""
	default:
		return "", fmt.Errorf("unsupported scheme %q; use s3, gs, azblob or file", u.Scheme)
	}
	// The checks of storage.Open itself, so that run-once cannot refuse what passed here.
	if err := storage.CheckURL(raw); err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + path.Clean("/"+u.Path), nil
}
