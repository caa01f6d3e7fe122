package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// maxKeyPackets bounds the key packets read before the encrypted data.
const maxKeyPackets = 1000

// header is what precedes the encrypted data of a message.
type header struct {
	keyIDs []uint64  // key IDs of the public-key encrypted session keys; 0 is anonymous
	replay io.Reader // the whole message again, from its first byte
}

// scanHeader reads the session key packets up to the encrypted data packet and records the bytes it
// consumed, so that the message can be parsed again from the start.
func scanHeader(in io.Reader, src *sourceReader) (*header, error) {
	var rec bytes.Buffer
	packets := packet.NewReader(io.TeeReader(in, &rec))
	hdr := &header{}
	for n := 0; n < maxKeyPackets; n++ {
		p, err := packets.Next()
		if err != nil {
			return nil, src.wrap(headerError(err, n))
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			hdr.keyIDs = append(hdr.keyIDs, p.KeyId)
		case *packet.SymmetricKeyEncrypted:
			// A passphrase-encrypted session key: never ours, skipped.
		case *packet.SymmetricallyEncrypted:
			if !p.IntegrityProtected {
				return nil, fmt.Errorf("%w: message has no integrity protection (no MDC)", ErrIntegrity)
			}
			hdr.replay = io.MultiReader(&rec, in)
			return hdr, nil
		case *packet.AEADEncrypted:
			hdr.replay = io.MultiReader(&rec, in)
			return hdr, nil
		default:
			return nil, fmt.Errorf("read OpenPGP message: not an encrypted message (found a %s packet)",
				strings.TrimPrefix(fmt.Sprintf("%T", p), "*packet."))
		}
	}
	return nil, fmt.Errorf("read OpenPGP message: more than %d key packets", maxKeyPackets)
}

// headerError classifies a parse error at packet n of the message header.
func headerError(err error, n int) error {
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return errors.New("read OpenPGP message: input is empty")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: message ends before its encrypted data", ErrIntegrity)
	case n == 0:
		return fmt.Errorf("read OpenPGP message: not an OpenPGP message: %w", err)
	}
	return fmt.Errorf("%w: parse message header: %v", ErrIntegrity, err)
}
