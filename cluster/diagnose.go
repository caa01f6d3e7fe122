package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// diagnose looks for the precise reason an endpoint did not answer, which gRPC hides behind
// "context deadline exceeded": a refused connection, a server certificate we do not trust, or a
// client certificate the server refused. It returns nil when the connection itself works.
func (c *Client) diagnose(ctx context.Context, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return err
	}
	defer conn.Close()
	if u.Scheme != "https" {
		return nil
	}
	tc := &tls.Config{}
	if c.tls != nil {
		tc = c.tls.Clone()
	}
	tc.ServerName = u.Hostname()
	tc.NextProtos = []string{"h2"}
	tconn := tls.Client(conn, tc)
	if err := tconn.HandshakeContext(ctx); err != nil {
		return c.explain(err)
	}
	// With TLS 1.3 a refused client certificate shows only at the first read.
	tconn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var b [1]byte
	_, err = tconn.Read(b[:])
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		return nil
	}
	return c.explain(err)
}

// explain adds to a TLS error the hint that names its cause: a server certificate for other names,
// one out of its validity, one not signed by etcd.cacert, or our client certificate refused.
func (c *Client) explain(err error) error {
	var (
		cv       *tls.CertificateVerificationError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &hostname):
		return fmt.Errorf("tls: the endpoint host %s is not in the server certificate's SANs (%s); "+
			"use a name it has in etcd.endpoints, or reissue the certificate with this one: %w",
			hostname.Host, certNames(hostname.Certificate), err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Errorf("tls: the server's certificate %q is outside its validity (%s to %s); renew it: %w",
			invalid.Cert.Subject.CommonName, invalid.Cert.NotBefore.UTC().Format(time.RFC3339),
			invalid.Cert.NotAfter.UTC().Format(time.RFC3339), err)
	case errors.As(err, &cv):
		return fmt.Errorf("tls: server certificate not trusted (check etcd.cacert %s): %w", c.opts.CACert, err)
	case strings.Contains(err.Error(), "remote error: tls:"):
		if c.opts.Cert == "" {
			return fmt.Errorf("tls: server requires a client certificate; set etcd.cert and etcd.key: %w", err)
		}
		return fmt.Errorf("tls: server refused the client certificate %s (check etcd.cert and etcd.key): %w", c.opts.Cert, err)
	}
	return err
}

// certNames lists the DNS names and IP addresses a certificate is valid for.
func certNames(cert *x509.Certificate) string {
	var names []string
	if cert != nil {
		names = append(names, cert.DNSNames...)
		for _, ip := range cert.IPAddresses {
			names = append(names, ip.String())
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
