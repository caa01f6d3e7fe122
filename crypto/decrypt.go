package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

const decryptBufferSize = 64 << 10

var armorMessage = []byte("-----BEGIN PGP MESSAGE-----")

// Decrypt returns a reader of the plaintext of the OpenPGP message in r, binary or armored.
// The plaintext streams: only a read that returned io.EOF proves the message intact. A tampered
// or truncated message makes a read fail with an error wrapping ErrIntegrity.
func Decrypt(r io.Reader, id *Identity) (io.Reader, error) {
	if id == nil || len(id.keyring) == 0 {
		return nil, errors.New("decrypt: no private key")
	}
	src := &sourceReader{r: r}
	in, err := dearmor(bufio.NewReaderSize(src, decryptBufferSize))
	if err != nil {
		return nil, src.wrap(err)
	}
	hdr, err := scanHeader(in, src)
	if err != nil {
		return nil, err
	}
	explicit, err := id.match(hdr)
	if err != nil {
		return nil, err
	}
	md, err := openpgp.ReadMessage(hdr.replay, id.keyring, nil, nil)
	if err != nil {
		return nil, id.openError(err, src, explicit)
	}
	return &plainReader{body: md.UnverifiedBody, tail: hdr.replay, src: src}, nil
}

// dearmor returns the binary message of an armored input, or br itself.
func dearmor(br *bufio.Reader) (io.Reader, error) {
	head, _ := br.Peek(len(armorMessage) + 64)
	if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), armorMessage) {
		return br, nil
	}
	block, err := armor.Decode(br)
	if err != nil {
		return nil, fmt.Errorf("decode armored message: %w", err)
	}
	return block.Body, nil
}

// match refuses a message that none of the identity's keys can open. It reports whether a private
// key matches a key ID of the message; otherwise the message is for an anonymous recipient.
func (id *Identity) match(hdr *header) (explicit bool, err error) {
	anonymous := false
	for _, kid := range hdr.keyIDs {
		if kid == 0 {
			anonymous = true
		}
		for _, k := range id.keyring.KeysById(kid) {
			if k.PrivateKey != nil && !k.PrivateKey.Dummy() {
				return true, nil
			}
		}
	}
	if anonymous {
		return false, nil // try every key
	}
	if len(hdr.keyIDs) == 0 {
		return false, fmt.Errorf("%w: message is encrypted with a passphrase, not to a public key", ErrWrongKey)
	}
	ids := make([]string, len(hdr.keyIDs))
	for i, kid := range hdr.keyIDs {
		ids[i] = fmt.Sprintf("%016X", kid)
	}
	return false, fmt.Errorf("%w: message is encrypted to key IDs %s, private keys loaded: %s",
		ErrWrongKey, strings.Join(ids, ", "), strings.Join(id.fprs, ", "))
}

// openError classifies an error of openpgp.ReadMessage. explicit tells whether a private key
// matched a key ID of the message.
func (id *Identity) openError(err error, src *sourceReader, explicit bool) error {
	var decErr pgperrors.DecryptWithSessionKeyError
	var structErr pgperrors.StructuralError
	var sigErr pgperrors.SignatureError
	switch {
	case src.err != nil:
		return src.wrap(err)
	case errors.Is(err, pgperrors.ErrKeyIncorrect) && !explicit:
		return fmt.Errorf("%w: message is for an anonymous recipient and none of the private keys "+
			"decrypts it (loaded: %s)", ErrWrongKey, strings.Join(id.fprs, ", "))
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		return fmt.Errorf("%w: the session key does not decrypt with the matching private key", ErrIntegrity)
	case errors.As(err, &decErr), errors.As(err, &structErr), errors.As(err, &sigErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %v", ErrIntegrity, err)
	}
	return fmt.Errorf("read OpenPGP message: %w", err)
}

// plainReader yields the plaintext and turns failures into ErrIntegrity or source errors.
type plainReader struct {
	body io.Reader
	tail io.Reader // the input after the message
	src  *sourceReader
	err  error
}

func (p *plainReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.body.Read(b)
	switch {
	case err == nil:
		return n, nil
	case err == io.EOF:
		p.err = p.checkTail()
	case p.src.err != nil:
		p.err = p.src.wrap(err)
	default:
		p.err = fmt.Errorf("%w: %v", ErrIntegrity, err)
	}
	return n, p.err
}

// checkTail makes sure nothing follows the message.
func (p *plainReader) checkTail() error {
	var b [1]byte
	n, err := io.ReadFull(p.tail, b[:])
	switch {
	case n > 0:
		return fmt.Errorf("%w: data after the end of the OpenPGP message", ErrIntegrity)
	case p.src.err != nil:
		return p.src.wrap(err)
	case err != io.EOF:
		return fmt.Errorf("%w: %v", ErrIntegrity, err)
	}
	return io.EOF
}

// sourceReader remembers the first error of the input, so that it is not mistaken for tampering.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// wrap returns the input's own error if there was one, else err.
func (s *sourceReader) wrap(err error) error {
	if s.err != nil {
		return fmt.Errorf("read encrypted input: %w", s.err)
	}
	return err
}
