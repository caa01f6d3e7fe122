package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Rekeyed describes a message Rekey wrote.
type Rekeyed struct {
	Recipients []string // primary key fingerprints of the new recipients, as Recipients.Fingerprints
	DataIn     int64    // offset of the encrypted data packet in the input (after dearmoring)
	DataOut    int64    // offset of the encrypted data packet in the output
}

// Rekey rewrites the OpenPGP message in r (binary or armored) for the recipients to and writes it to
// w, binary: the session key is decrypted with id and encrypted again to each recipient, and the
// encrypted data packet is copied byte for byte. The plaintext is never decrypted; memory stays
// bounded whatever the size. Passphrase-encrypted session keys are dropped. Only SEIPD v1 messages
// (v3 key packets), the ones Encrypt writes, are rewritten.
func Rekey(w io.Writer, r io.Reader, id *Identity, to *Recipients) (Rekeyed, error) {
	if id == nil || len(id.keyring) == 0 {
		return Rekeyed{}, errors.New("rekey: no private key")
	}
	if to == nil || len(to.entities) == 0 {
		return Rekeyed{}, errors.New("rekey: no recipients")
	}
	src := &sourceReader{r: r}
	in, err := dearmor(bufio.NewReaderSize(src, decryptBufferSize))
	if err != nil {
		return Rekeyed{}, src.wrap(err)
	}
	keys, head, err := readKeyPackets(in, src)
	if err != nil {
		return Rekeyed{}, err
	}
	sk, err := id.sessionKey(keys)
	if err != nil {
		return Rekeyed{}, err
	}
	out := &countWriter{w: w}
	if err := to.writeKeyPackets(out, sk); err != nil {
		return Rekeyed{}, err
	}
	res := Rekeyed{Recipients: to.Fingerprints(), DataIn: head.offset, DataOut: out.n}
	if _, err := out.Write(head.raw); err != nil {
		return res, fmt.Errorf("rekey: write: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		return res, fmt.Errorf("rekey: copy encrypted data: %w", src.wrap(err))
	}
	return res, nil
}

// dataHead is the start of the encrypted data packet: the bytes read to identify it.
type dataHead struct {
	raw    []byte
	offset int64
}

// readKeyPackets reads the key packets up to the encrypted data packet, which must be SEIPD v1.
func readKeyPackets(in io.Reader, src *sourceReader) ([]*packet.EncryptedKey, *dataHead, error) {
	var (
		rec    bytes.Buffer
		offset int64
		keys   []*packet.EncryptedKey
	)
	tee := io.TeeReader(in, &rec)
	for n := 0; n < maxKeyPackets; n++ {
		rec.Reset()
		p, err := packet.Read(tee)
		if err != nil {
			return nil, nil, src.wrap(headerError(err, n))
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			if p.Version != 3 {
				return nil, nil, fmt.Errorf("rekey: v%d key packet: only v3 (SEIPD v1 messages) is supported", p.Version)
			}
			keys = append(keys, p)
		case *packet.SymmetricKeyEncrypted: // a passphrase: dropped
		case *packet.SymmetricallyEncrypted:
			if !p.IntegrityProtected || p.Version != 1 {
				return nil, nil, fmt.Errorf("rekey: only SEIPD v1 with MDC is supported (found v%d, integrity protected: %t)",
					p.Version, p.IntegrityProtected)
			}
			return keys, &dataHead{raw: bytes.Clone(rec.Bytes()), offset: offset}, nil
		default:
			return nil, nil, fmt.Errorf("rekey: not an encrypted message (found a %s packet)",
				strings.TrimPrefix(fmt.Sprintf("%T", p), "*packet."))
		}
		offset += int64(rec.Len())
	}
	return nil, nil, fmt.Errorf("rekey: more than %d key packets", maxKeyPackets)
}

// sessionKey decrypts the session key with the first key packet one of the identity's keys opens.
func (id *Identity) sessionKey(keys []*packet.EncryptedKey) (*packet.EncryptedKey, error) {
	var failed error
	kids := make([]string, len(keys))
	for i, ek := range keys {
		kids[i] = fmt.Sprintf("%016X", ek.KeyId)
		for _, k := range id.privateKeys(ek.KeyId) {
			err := ek.Decrypt(k.PrivateKey, nil)
			if err == nil {
				return ek, nil
			}
			if ek.KeyId != 0 {
				failed = err
			}
		}
	}
	if failed != nil {
		return nil, fmt.Errorf("%w: the session key does not decrypt with the matching private key: %v",
			ErrIntegrity, failed)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("rekey: %w: message has no public-key encrypted session key", ErrWrongKey)
	}
	return nil, fmt.Errorf("rekey: %w: message is encrypted to key IDs %s, private keys loaded: %s",
		ErrWrongKey, strings.Join(kids, ", "), strings.Join(id.fprs, ", "))
}

// privateKeys returns the usable private keys for key ID kid; for 0 (anonymous), every decryption key.
func (id *Identity) privateKeys(kid uint64) []openpgp.Key {
	cands := id.keyring.DecryptionKeys()
	if kid != 0 {
		cands = id.keyring.KeysById(kid)
	}
	var out []openpgp.Key
	for _, k := range cands {
		if k.PrivateKey != nil && !k.PrivateKey.Dummy() && !k.PrivateKey.Encrypted {
			out = append(out, k)
		}
	}
	return out
}

// writeKeyPackets writes one v3 key packet per recipient holding the session key of sk, to the
// encryption key openpgp.Encrypt picks for that recipient.
func (r *Recipients) writeKeyPackets(w io.Writer, sk *packet.EncryptedKey) error {
	now := time.Now()
	for i, e := range r.entities {
		k, ok := e.EncryptionKey(now)
		if !ok {
			return fmt.Errorf("rekey: key %s cannot encrypt: %s", r.fprs[i], unusableReason(e, now))
		}
		if err := packet.SerializeEncryptedKey(w, k.PublicKey, sk.CipherFunc, sk.Key, nil); err != nil {
			return fmt.Errorf("rekey: encrypt the session key to %s: %w", r.fprs[i], err)
		}
	}
	return nil
}

// countWriter counts the bytes written to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
