package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// readCerts parses every PEM certificate in path; a file without one is an
// error, as it is for the etcd client and the storage drivers.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return certs, nil
}

// checkClientCert refuses a client certificate that no server would accept
// today: expired or not valid yet. Only the first certificate is the
// client's; the rest of a chain is checked by the server.
func checkClientCert(path string) error {
	certs, err := readCerts(path)
	if err != nil {
		return err
	}
	return validNow(path, certs[0])
}

// checkCABundle refuses a CA bundle in which no certificate is valid today.
func checkCABundle(path string) error {
	certs, err := readCerts(path)
	if err != nil {
		return err
	}
	first := validNow(path, certs[0])
	for _, c := range certs {
		if validNow(path, c) == nil {
			return nil
		}
	}
	return first
}

// validityError is a certificate out of its validity period.
type validityError struct{ msg string }

func (e *validityError) Error() string { return e.msg }

func validNow(path string, c *x509.Certificate) error {
	now := time.Now()
	switch {
	case now.After(c.NotAfter):
		return &validityError{fmt.Sprintf("%s: certificate %q expired on %s",
			path, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))}
	case now.Before(c.NotBefore):
		return &validityError{fmt.Sprintf("%s: certificate %q is not valid before %s",
			path, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339))}
	}
	return nil
}

// addCertErr adds err to the problems of field, marked when it is about the validity period:
// LoadForCheck leaves those to the check command.
func addCertErr(e *Errors, field string, err error) {
	var ve *validityError
	if errors.As(err, &ve) {
		*e = append(*e, &FieldError{Field: field, Msg: err.Error(), validity: true})
		return
	}
	addErr(e, field, err)
}
