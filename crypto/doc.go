// Package crypto encrypts and decrypts backup streams with OpenPGP and loads the keys for it.
//
// Messages are written for gpg 2.2 compatibility: v4 keys, a SEIPD v1 packet with MDC (AES-256
// when every recipient allows it), a binary literal packet, no OpenPGP compression (data is
// compressed with zstd before) and no signature.
//
// Recipient files must hold public keys only: a private key in a recipient file is refused, since a
// node that takes backups must not be able to read them.
//
// Decrypt streams. A tampered or truncated message is detected only when the plaintext has been
// read to its end, so callers trust the output only after io.Copy returned nil.
package crypto

import "errors"

var (
	// ErrIntegrity reports a message that was modified or cut short.
	ErrIntegrity = errors.New("openpgp integrity check failed (tampered or truncated data)")
	// ErrWrongKey reports a message encrypted to none of the identity's keys.
	ErrWrongKey = errors.New("no matching private key for this backup")
	// ErrWrongPassphrase reports a passphrase that does not unlock the private key.
	ErrWrongPassphrase = errors.New("wrong passphrase for private key")
)
