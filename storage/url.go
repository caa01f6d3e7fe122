package storage

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// reservedParams are gocloud URL parameters that would re-root the bucket;
// the URL path is the only way to set a prefix here.
var reservedParams = []string{"prefix", "key"}

// splitURL turns a bucket URL with a path into the URL gocloud opens (the
// path removed, query kept) and the key prefix taken from the path ("a/b/"),
// or "" when the path is empty.
func splitURL(raw string) (openURL, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", urlErrCause(err)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", "", fmt.Errorf("missing bucket name: want %s://BUCKET/PATH", u.Scheme)
	}
	if u.User != nil {
		return "", "", errors.New("credentials in the URL are not supported; use the environment")
	}
	if u.Fragment != "" {
		return "", "", errors.New("a URL fragment is not supported")
	}
	q := u.Query()
	for _, name := range reservedParams {
		if q.Has(name) {
			return "", "", fmt.Errorf("query parameter %q is not supported; put the key prefix in the URL path", name)
		}
	}
	if err := checkParams(u.Scheme, q); err != nil {
		return "", "", err
	}
	if hasControl(u.Path) {
		return "", "", errControlPath
	}
	p := strings.Trim(u.Path, "/")
	if p != "" {
		if err := checkPath("URL path", p, false); err != nil {
			return "", "", err
		}
		prefix = p + "/"
	}
	open := url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: u.RawQuery}
	return open.String(), prefix, nil
}

// fileDir returns the directory a file:// URL names.
func fileDir(u *url.URL) (string, error) {
	if u.Opaque != "" {
		return "", errors.New("want an absolute path: file:///DIR")
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("host %q is not supported: want file:///DIR", u.Host)
	}
	if u.User != nil {
		return "", errors.New("user info is not supported: want file:///DIR")
	}
	if q := u.Query(); len(q) > 0 {
		names := make([]string, 0, len(q))
		for name := range q {
			names = append(names, strconv.Quote(name))
		}
		sort.Strings(names)
		return "", fmt.Errorf("unknown query parameter %s: file URLs take none", strings.Join(names, ", "))
	}
	if u.Fragment != "" {
		return "", errors.New("a URL fragment is not supported")
	}
	if u.Path == "" || !filepath.IsAbs(u.Path) {
		return "", errors.New("missing directory: want file:///DIR")
	}
	if hasControl(u.Path) {
		return "", errControlPath
	}
	return filepath.Clean(u.Path), nil
}

// errControlPath refuses a NUL, a newline or another control character in a
// URL path (percent-encoded: url.Parse refuses them raw). A NUL fits in no
// file name, and a newline would forge lines in logs and listings.
var errControlPath = errors.New("control characters (such as %00 or %0A) in the URL path are not supported")

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}
