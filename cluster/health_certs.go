package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"
)

// Certificate labels used by CertExpiry.Label.
const (
	CertClient       = "client"
	CertCA           = "ca"
	CertServerPrefix = "server:" // followed by the member name, or its endpoint when it has none
)

// CertExpiry is the validity of one certificate, read from a file or seen over TLS.
type CertExpiry struct {
	Label    string // client, ca, ca[1] for a bundle's second certificate, server:<member>
	Source   string // the file, or the endpoint that presented it
	Subject  string
	NotAfter time.Time
	Err      error // the certificate could not be read
}

// fileCerts reads the configured client certificate and every certificate of the CA bundle.
func (c *Client) fileCerts() []CertExpiry {
	var out []CertExpiry
	if c.opts.Cert != "" {
		certs, err := readCerts(c.opts.Cert)
		e := CertExpiry{Label: CertClient, Source: c.opts.Cert, Err: err}
		if err == nil {
			e.Subject, e.NotAfter = certs[0].Subject.String(), certs[0].NotAfter
		}
		out = append(out, e)
	}
	if c.opts.CACert != "" {
		certs, err := readCerts(c.opts.CACert)
		if err != nil {
			return append(out, CertExpiry{Label: CertCA, Source: c.opts.CACert, Err: err})
		}
		for i, ca := range certs {
			label := CertCA
			if i > 0 {
				label = fmt.Sprintf("%s[%d]", CertCA, i)
			}
			out = append(out, CertExpiry{Label: label, Source: c.opts.CACert, Subject: ca.Subject.String(), NotAfter: ca.NotAfter})
		}
	}
	return out
}

// readCerts parses every certificate of a PEM file.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate %s: %w", path, err)
		}
		out = append(out, cert)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parse certificate %s: no PEM certificate found", path)
	}
	return out, nil
}

// serverCert reads the certificate a member presents, with our TLS config. A certificate that fails
// verification (expired, unknown authority) is still reported, with the verification error.
func (c *Client) serverCert(ctx context.Context, m *MemberHealth) *CertExpiry {
	e := &CertExpiry{Label: CertServerPrefix + m.Label(), Source: m.Endpoint}
	u, err := url.Parse(m.Endpoint)
	if err != nil {
		e.Err = fmt.Errorf("endpoint %q: %w", m.Endpoint, err)
		return e
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tls != nil {
		tc = c.tls.Clone()
	}
	tc.ServerName = u.Hostname()
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	d := tls.Dialer{NetDialer: &net.Dialer{}, Config: tc}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	var leaf *x509.Certificate
	var cv *tls.CertificateVerificationError
	switch {
	case err == nil:
		leaf = conn.(*tls.Conn).ConnectionState().PeerCertificates[0]
		conn.Close()
	case errors.As(err, &cv) && len(cv.UnverifiedCertificates) > 0:
		leaf = cv.UnverifiedCertificates[0]
		e.Err = fmt.Errorf("server certificate of %s: %w", m.Endpoint, err)
	default:
		e.Err = fmt.Errorf("TLS handshake with %s: %w", m.Endpoint, err)
		return e
	}
	e.Subject, e.NotAfter = leaf.Subject.String(), leaf.NotAfter
	return e
}
