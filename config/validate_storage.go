package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"

	"github.com/etcd-backupd/etcd-backupd/crypto"
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
	}
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
	return u.Scheme + "://" + u.Host + path.Clean("/"+u.Path), nil
}
