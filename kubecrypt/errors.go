package kubecrypt

import (
	"errors"
	"fmt"
)

// ErrKMS reports a value encrypted by a KMS provider: its data key is wrapped by the KMS plugin,
// so it cannot be checked offline. Check wraps it with the provider's name.
var ErrKMS = errors.New("value is KMS-encrypted and cannot be checked offline")

// MissingKeyError reports a value written with a provider or key name that the configuration
// lacks: the API server given this configuration could not read it.
type MissingKeyError struct {
	Provider string // aescbc, aesgcm, secretbox, kms, or the unknown provider named by the value
	KeyName  string // the key name (the KMS provider name for kms)
}

func (e *MissingKeyError) Error() string {
	if e.Provider == KMS {
		return fmt.Sprintf("kms provider %q is not in the EncryptionConfiguration", e.KeyName)
	}
	return fmt.Sprintf("%s key %q is not in the EncryptionConfiguration", e.Provider, e.KeyName)
}

// DecryptError reports a value that a key of the right name does not decrypt (another secret
// under the same name), or a value that is corrupt.
type DecryptError struct {
	Provider string
	KeyName  string // empty when the value is too damaged to name a key
	Err      error
}

func (e *DecryptError) Error() string {
	if e.KeyName == "" {
		return fmt.Sprintf("%s value is corrupt: %v", e.Provider, e.Err)
	}
	return fmt.Sprintf("%s key %q does not decrypt the value: %v", e.Provider, e.KeyName, e.Err)
}

func (e *DecryptError) Unwrap() error { return e.Err }

// PlaintextError reports a value stored in the clear for a resource whose configuration entry
// has no identity provider: the API server would refuse to read it.
type PlaintextError struct {
	Resource string // the resource as the configuration names it, e.g. "secrets" or "*.*"
	Entry    int    // index in resources[] of the entry that covers it
}

func (e *PlaintextError) Error() string {
	return fmt.Sprintf("value is stored in the clear, but resources[%d] (%s) has no identity provider", e.Entry, e.Resource)
}

// Reasons a value does not decrypt, wrapped in DecryptError.
var (
	errShort          = errors.New("value is shorter than its nonce and overhead")
	errBlockSize      = errors.New("ciphertext is not a whole number of AES blocks")
	errPadding        = errors.New("bad PKCS#7 padding (wrong key or corrupt value)")
	errAuth           = errors.New("authentication failed (wrong key, corrupt value, or value moved from another etcd key)")
	errBoxAuth        = errors.New("authentication failed (wrong key or corrupt value)")
	errNotObject      = errors.New("decrypted value does not look like a stored object (wrong key or corrupt value)")
	errPlainNotObject = errors.New("value in the clear does not look like a stored object (protobuf, JSON or CBOR)")
	errBadPrefix      = errors.New("value starts with k8s:enc: but names no provider and version")
	errNoKeyName      = errors.New("value names no key after its provider prefix")
)
