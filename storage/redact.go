package storage

import (
	"net/url"
	"sort"
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
// parameters replaced by "REDACTED", and the same done to every URL given as
// a parameter value, at any depth (there even the user name goes: it may be
// an access key). A URL without secrets is returned as is.
func Redact(rawURL string) string {
	out, ok := redactURL(rawURL, false)
	if !ok {
		return "(unparsable URL)"
	}
	return out
}

// redactURL redacts one URL; nested says that it is a parameter value. It
// reports false when raw does not parse.
func redactURL(raw string, nested bool) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	changed := false
	if _, ok := u.User.Password(); ok && !nested {
		u.User = url.UserPassword(u.User.Username(), redacted)
		changed = true
	} else if u.User != nil && nested {
		u.User = url.User(redacted)
		changed = true
	}
	if q, ok := redactQuery(u.RawQuery); ok {
		u.RawQuery = q
		changed = true
	}
	if !changed {
		return raw, true
	}
	return u.String(), true
}

// redactQuery replaces the values of secret parameters and redacts nested
// URLs, keeping the order and encoding of the rest. It reports whether
// anything changed.
func redactQuery(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, part := range parts {
		name, val, _ := strings.Cut(part, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if isSecretParam(name) {
			parts[i] = url.QueryEscape(name) + "=" + redacted
			changed = true
		} else if red, ok := redactValue(val); ok {
			parts[i] = url.QueryEscape(name) + "=" + red
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}

// redactValue redacts a raw (encoded) parameter value that holds a URL. The
// result is left unencoded when the value was, if that stays unambiguous.
func redactValue(raw string) (string, bool) {
	dec, err := url.QueryUnescape(raw)
	if err != nil {
		dec = raw
	}
	u, ok := nestedURL(dec)
	if !ok {
		return raw, false
	}
	if u == nil {
		return redacted, true
	}
	red, ok := redactURL(u.String(), true)
	if !ok {
		return redacted, true
	}
	if red == u.String() {
		return raw, false
	}
	if !strings.Contains(dec, "://") {
		red = strings.TrimPrefix(red, "//")
	}
	if raw == dec && !strings.ContainsAny(red, "&#%+ ") {
		return red, true
	}
	return url.QueryEscape(red), true
}

// nestedURL parses a parameter value that holds a URL: one with a scheme
// ("http://...") or a bare user info and host ("user:secret@host"). It
// returns false for other values, and a nil URL for a value with a scheme
// that does not parse.
func nestedURL(v string) (*url.URL, bool) {
	if strings.Contains(v, "://") {
		u, err := url.Parse(v)
		if err != nil {
			return nil, true
		}
		return u, true
	}
	at := strings.LastIndex(v, "@")
	if at <= 0 || !strings.Contains(v[:at], ":") || strings.Contains(v[:at], "/") {
		return nil, false // an e-mail address or an ARN, not a URL
	}
	u, err := url.Parse("//" + v)
	if err != nil || u.User == nil {
		return nil, false
	}
	return u, true
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

// secretValues lists the secret strings in rawURL that Redact hides, at
// every depth.
func secretValues(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
	}
	return append(out, querySecrets(u.RawQuery)...)
}

// querySecrets lists the values of secret parameters, as written and
// decoded, and the secrets of nested URLs.
func querySecrets(raw string) []string {
	var out []string
	for _, part := range strings.Split(raw, "&") {
		name, val, _ := strings.Cut(part, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		dval := val
		if dec, err := url.QueryUnescape(val); err == nil {
			dval = dec
		}
		switch {
		case val == "":
		case isSecretParam(name):
			out = append(out, val)
			if dval != val {
				out = append(out, dval)
			}
		default:
			out = append(out, nestedSecrets(dval)...)
		}
	}
	return out
}

// nestedSecrets lists the secrets of a URL given as a parameter value: its
// user info whole and in parts, as net/http prints it ("user:***"), and its
// secret parameters. A value that does not parse is a secret whole.
func nestedSecrets(v string) []string {
	u, ok := nestedURL(v)
	if !ok {
		return nil
	}
	if u == nil {
		return []string{v}
	}
	var out []string
	if u.User != nil {
		name := u.User.Username()
		out = append(out, u.User.String(), name, name+":***")
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	return append(out, querySecrets(u.RawQuery)...)
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
	secrets := secretValues(rawURL)
	// Longest first, so that a user info goes whole before its parts.
	sort.SliceStable(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, s := range secrets {
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
