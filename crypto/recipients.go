package crypto

import (
	"errors"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// Recipients are the public keys a backup is encrypted to. They are safe for concurrent use.
type Recipients struct {
	entities openpgp.EntityList
	fprs     []string
}

// LoadRecipients reads the public keys in each file, armored or binary; a file may hold several keys.
// Every key must be a v4 key with a usable encryption (sub)key. A file holding a private key is
// refused: a node that takes backups must not be able to read them. A key given twice is used once.
func LoadRecipients(paths []string) (*Recipients, error) {
	if len(paths) == 0 {
		return nil, errors.New("load recipients: no public key file given")
	}
	r := &Recipients{}
	seen := make(map[string]bool)
	now := time.Now()
	for _, path := range paths {
		el, err := readKeyring(path)
		if err != nil {
			return nil, fmt.Errorf("load recipient key %s: %w", path, err)
		}
		for _, e := range el {
			if err := checkRecipient(e, now); err != nil {
				return nil, fmt.Errorf("load recipient key %s: %w", path, err)
			}
			fpr := fingerprint(e)
			if seen[fpr] {
				continue
			}
			seen[fpr] = true
			r.entities = append(r.entities, e)
			r.fprs = append(r.fprs, fpr)
		}
	}
	return r, nil
}

// Fingerprints returns the primary key fingerprints, upper-case hex, in load order.
func (r *Recipients) Fingerprints() []string {
	return append([]string(nil), r.fprs...)
}

// checkRecipient refuses keys that gpg 2.2 cannot use or that cannot encrypt now.
func checkRecipient(e *openpgp.Entity, now time.Time) error {
	fpr := fingerprint(e)
	if hasSecret(e) {
		return fmt.Errorf("key %s is a private key; give its public key only (gpg --export)", fpr)
	}
	if v := e.PrimaryKey.Version; v != 4 {
		return fmt.Errorf("key %s is a v%d key; only v4 keys are supported (gpg 2.2 reads no other)", fpr, v)
	}
	if _, ok := e.EncryptionKey(now); !ok {
		return fmt.Errorf("key %s cannot encrypt: %s", fpr, unusableReason(e, now))
	}
	return nil
}

// unusableReason explains why e has no encryption key at now.
func unusableReason(e *openpgp.Entity, now time.Time) string {
	sig, uid := e.PrimarySelfSignature()
	switch {
	case sig == nil:
		return "no valid self-signature"
	case e.Revoked(now) || (uid != nil && uid.Revoked(now)):
		return "key is revoked"
	case e.PrimaryKey.KeyExpired(sig, now) || sig.SigExpired(now):
		return "key has expired"
	}
	for _, s := range e.Subkeys {
		if s.Sig != nil && s.Sig.FlagsValid && (s.Sig.FlagEncryptCommunications || s.Sig.FlagEncryptStorage) {
			return "its encryption subkey is expired, revoked or not usable"
		}
	}
	return "no encryption subkey (sign-only key)"
}
