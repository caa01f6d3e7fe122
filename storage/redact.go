package storage

import (
	"net/url"
	"strings"
)

const redacted = "REDACTED"

// minSecretLen is the shortest value scrub hides inside error messages.
const minSecretLen = 6

// secretWords mark a query parameter as secret when its name contains one.
var secretWords = []string{"key", "secret", "token", "sig", "password", "passwd", "credential", "auth"}

// sasParams are Azure shared access signature parameters.
var sasParams = map[string]bool{
	"sv": true, "ss": true, "srt": true, "sp": true, "se": true, "st": true, "spr": true,
	"sr": true, "si": true, "sdd": true, "skoid": true, "sktid": true, "skt": true,
	"ske": true, "sks": true, "skv": true, "saoid": true, "suoid": true, "scid": true,
}

// Redact returns rawURL with the user info password and secret query
// parameters replaced by "REDACTED". A URL without secrets is returned as is.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	changed := false
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), redacted)
		changed = true
	}
	if q, ok := redactQuery(u.RawQuery); ok {
		u.RawQuery = q
		changed = true
	}
	if !changed {
		return rawURL
	}
	return u.String()
}

// redactQuery replaces the values of secret parameters, keeping the order
// and encoding of the others. It reports whether anything changed.
func redactQuery(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, part := range parts {
		name, _, _ := strings.Cut(part, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if isSecretParam(name) {
			parts[i] = url.QueryEscape(name) + "=" + redacted
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}

// publicParams are driver options whose names happen to contain a secret word.
var publicParams = map[string]bool{"unsigned_payload": true}

func isSecretParam(name string) bool {
	n := strings.ToLower(name)
	if publicParams[n] {
		return false
	}
	if sasParams[n] {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretValues lists the secret strings in rawURL that Redact hides.
func secretValues(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		name, val, _ := strings.Cut(part, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if val == "" || !isSecretParam(name) {
			continue
		}
		out = append(out, val)
		if dec, err := url.QueryUnescape(val); err == nil && dec != val {
			out = append(out, dec)
		}
	}
	return out
}

// scrubbedError hides secrets in the message of an error from a driver that
// may quote the URL it was given; errors.Is and errors.As still see err.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub returns err with the secrets of rawURL removed from its message.
func scrub(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	hit := false
	if red := Redact(rawURL); red != rawURL && strings.Contains(msg, rawURL) {
		msg = strings.ReplaceAll(msg, rawURL, red)
		hit = true
	}
	for _, s := range secretValues(rawURL) {
		// Short values (sp=r) are flags, not secrets, and would mangle the text.
		if len(s) >= minSecretLen && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, redacted)
			hit = true
		}
	}
	if !hit {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}
