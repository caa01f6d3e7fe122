package storage

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"syscall"

	"gocloud.dev/gcerrors"
)

// ErrorKind names the cause of a storage failure, as far as it can be told.
type ErrorKind string

// The kinds of failure Classify tells apart.
const (
	KindNone       ErrorKind = ""           // no error
	KindAuth       ErrorKind = "auth"       // missing, wrong or expired credentials
	KindPermission ErrorKind = "permission" // valid credentials, access denied
	KindNotFound   ErrorKind = "not_found"  // no such bucket, container or object
	KindNetwork    ErrorKind = "network"    // connection refused or reset, DNS, timeout
	KindTLS        ErrorKind = "tls"        // certificate not trusted or not valid
	KindOther      ErrorKind = "other"
)

// describe is the phrase an error of this kind starts with.
func (k ErrorKind) describe() string {
	switch k {
	case KindAuth:
		return "authentication failed (check the credentials)"
	case KindPermission:
		return "permission denied"
	case KindNotFound:
		return "not found"
	case KindNetwork:
		return "network error"
	case KindTLS:
		return "TLS verification failed (set ca_file for a private CA)"
	}
	return string(k)
}

// KindError is a storage failure whose cause was classified.
type KindError struct {
	Kind ErrorKind
	Err  error
}

func (e *KindError) Error() string {
	if e.Kind == KindTLS {
		return tlsPhrase(e.Err) + ": " + e.Err.Error()
	}
	return e.Kind.describe() + ": " + e.Err.Error()
}

// tlsPhrase names the cause of a TLS failure: the ca_file hint helps with an
// unknown authority only, and would send the operator the wrong way when the
// certificate is for other names or out of its validity.
func tlsPhrase(err error) string {
	var (
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &hostname):
		return "TLS verification failed (the endpoint host is not in the server certificate's names: " +
			"use a name it has in the URL, or reissue the certificate)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "TLS verification failed (the server certificate is expired or not yet valid)"
	}
	return KindTLS.describe()
}

func (e *KindError) Unwrap() error { return e.Err }

// Classify tells the kind of a storage error; KindOther when unknown.
func Classify(err error) ErrorKind {
	if err == nil {
		return KindNone
	}
	var ke *KindError
	if errors.As(err, &ke) {
		return ke.Kind
	}
	if errors.Is(err, ErrNotFound) {
		return KindNotFound
	}
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return KindAuth
	}
	if isTLSError(err) {
		return KindTLS
	}
	if k := serviceKind(err); k != KindOther {
		return k
	}
	if isNetworkError(err) {
		return KindNetwork
	}
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return KindNotFound
	case gcerrors.PermissionDenied:
		return KindPermission
	}
	return KindOther
}

func isTLSError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
	)
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &verify) || errors.As(err, &record)
}

func isNetworkError(err error) bool {
	var (
		op  *net.OpError
		dns *net.DNSError
		ne  net.Error
	)
	switch {
	case errors.As(err, &op), errors.As(err, &dns):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// statusKind maps an HTTP status of a storage service to a kind.
func statusKind(code int) ErrorKind {
	switch code {
	case http.StatusUnauthorized:
		return KindAuth
	case http.StatusForbidden:
		return KindPermission
	case http.StatusNotFound:
		return KindNotFound
	}
	return KindOther
}
