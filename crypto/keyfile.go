package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

var (
	armorPGP   = []byte("-----BEGIN PGP ")
	armorBegin = []byte("-----BEGIN ")
)

// readKeyring reads every key in an armored or binary OpenPGP key file.
// An armored file may hold several blocks.
func readKeyring(path string) (openpgp.EntityList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var el openpgp.EntityList
	pgp, pem := bytes.Index(data, armorPGP), bytes.Index(data, armorBegin)
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, errors.New("file is empty")
	case data[0]&0x80 != 0: // binary packet tag
		el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
		if err != nil {
			err = fmt.Errorf("not an OpenPGP key: %w", err)
		}
	case pgp >= 0:
		el, err = readArmoredBlocks(data[pgp:])
	case pem >= 0:
		return nil, fmt.Errorf("not an OpenPGP key: found a PEM %q block", pemType(data[pem:]))
	default:
		return nil, errors.New("not an OpenPGP key: neither binary OpenPGP nor ASCII armor")
	}
	if err != nil {
		return nil, err
	}
	if len(el) == 0 {
		return nil, errors.New("no OpenPGP key found")
	}
	return el, nil
}

// readArmoredBlocks decodes each "-----BEGIN PGP ...-----" block of data.
func readArmoredBlocks(data []byte) (openpgp.EntityList, error) {
	var el openpgp.EntityList
	for len(data) > 0 {
		next := bytes.Index(data[1:], armorPGP)
		block := data
		if next >= 0 {
			block, data = data[:next+1], data[next+1:]
		} else {
			data = nil
		}
		b, err := armor.Decode(bytes.NewReader(block))
		if err != nil {
			return nil, fmt.Errorf("decode armor: %w", err)
		}
		if b.Type != openpgp.PublicKeyType && b.Type != openpgp.PrivateKeyType {
			return nil, fmt.Errorf("not an OpenPGP key: armored block is a %q", b.Type)
		}
		keys, err := openpgp.ReadKeyRing(b.Body)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", b.Type, err)
		}
		el = append(el, keys...)
	}
	return el, nil
}

// pemType returns the label of the PEM block that data starts with.
func pemType(data []byte) string {
	line, _, _ := bytes.Cut(data[len(armorBegin):], []byte("\n"))
	return strings.TrimSuffix(strings.TrimSpace(string(line)), "-----")
}

// hasSecret reports whether e carries usable private key material.
func hasSecret(e *openpgp.Entity) bool {
	if e.PrivateKey != nil && !e.PrivateKey.Dummy() {
		return true
	}
	for _, s := range e.Subkeys {
		if s.PrivateKey != nil && !s.PrivateKey.Dummy() {
			return true
		}
	}
	return false
}

// fingerprint returns the primary key fingerprint of e in upper-case hex.
func fingerprint(e *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

func fingerprints(el openpgp.EntityList) []string {
	out := make([]string, len(el))
	for i, e := range el {
		out[i] = fingerprint(e)
	}
	return out
}
