package crypto

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// Identity is a private keyring able to decrypt backups. It is safe for concurrent use.
type Identity struct {
	keyring openpgp.EntityList
	fprs    []string
}

// LoadIdentity reads an armored or binary secret key file. Protected keys are unlocked with the
// passphrase in passphraseFile (trailing newline trimmed); passphraseFile may be "" for an
// unprotected key.
func LoadIdentity(keyFile, passphraseFile string) (*Identity, error) {
	el, err := readKeyring(keyFile)
	if err != nil {
		return nil, fmt.Errorf("load private key %s: %w", keyFile, err)
	}
	var secret openpgp.EntityList
	for _, e := range el {
		if hasSecret(e) {
			secret = append(secret, e)
		}
	}
	if len(secret) == 0 {
		return nil, fmt.Errorf("load private key %s: file holds public keys only; "+
			"export the secret key with gpg --export-secret-keys", keyFile)
	}
	if err := unlock(secret, keyFile, passphraseFile); err != nil {
		return nil, err
	}
	if !canDecryptAny(secret) {
		return nil, fmt.Errorf("load private key %s: no secret encryption key (sign-only key?)", keyFile)
	}
	return &Identity{keyring: secret, fprs: fingerprints(secret)}, nil
}

// Fingerprints returns the primary key fingerprints of the identity, upper-case hex.
func (id *Identity) Fingerprints() []string {
	return append([]string(nil), id.fprs...)
}

// unlock decrypts the protected private keys of el with the passphrase from passphraseFile.
func unlock(el openpgp.EntityList, keyFile, passphraseFile string) error {
	if !isProtected(el) {
		return nil
	}
	if passphraseFile == "" {
		return fmt.Errorf("load private key %s: key is protected by a passphrase; "+
			"set encryption.passphrase_file", keyFile)
	}
	data, err := os.ReadFile(passphraseFile)
	if err != nil {
		return fmt.Errorf("read passphrase file: %w", err)
	}
	pass := []byte(strings.TrimRight(string(data), "\r\n"))
	for _, e := range el {
		err := e.DecryptPrivateKeys(pass)
		var unsupported pgperrors.UnsupportedError
		switch {
		case err == nil:
		case errors.As(err, &unsupported):
			return fmt.Errorf("decrypt private key %s: %w", keyFile, err)
		default:
			return fmt.Errorf("decrypt private key %s (key %s): %w", keyFile, fingerprint(e), ErrWrongPassphrase)
		}
	}
	return nil
}

// isProtected reports whether any private key in el is encrypted with a passphrase.
func isProtected(el openpgp.EntityList) bool {
	for _, e := range el {
		if e.PrivateKey != nil && !e.PrivateKey.Dummy() && e.PrivateKey.Encrypted {
			return true
		}
		for _, s := range e.Subkeys {
			if s.PrivateKey != nil && !s.PrivateKey.Dummy() && s.PrivateKey.Encrypted {
				return true
			}
		}
	}
	return false
}

// canDecryptAny reports whether el holds a private key flagged for encryption.
func canDecryptAny(el openpgp.EntityList) bool {
	if len(el.DecryptionKeys()) > 0 {
		return true
	}
	for _, e := range el {
		sig, _ := e.PrimarySelfSignature()
		if e.PrivateKey != nil && !e.PrivateKey.Dummy() && sig != nil && sig.FlagsValid &&
			(sig.FlagEncryptCommunications || sig.FlagEncryptStorage) {
			return true
		}
	}
	return false
}
