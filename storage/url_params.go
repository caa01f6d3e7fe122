package storage

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
)

// CheckURL reports what Open would refuse in a destination URL, without
// opening anything: the scheme, the bucket, the path and every query
// parameter with its value. Open runs the same checks, so that a config
// that passes CheckURL cannot fail on them later. Errors quote parameter
// names, never their values.
func CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return urlErrCause(err)
	}
	switch u.Scheme {
	case "file":
		_, err = fileDir(u)
	case "s3", "gs", "azblob":
		_, _, err = splitURL(rawURL)
	default:
		err = fmt.Errorf("unsupported scheme %q (supported: %s)", u.Scheme, strings.Join(Schemes(), ", "))
	}
	return err
}

// paramCheck checks the value of one query parameter.
type paramCheck func(v string) error

// awsParams are the parameters gocloud's V2ConfigFromURLParams reads, with
// the values it accepts; it refuses any other parameter.
var awsParams = map[string]paramCheck{
	"region":                       anyValue,
	"profile":                      anyValue,
	"endpoint":                     checkEndpoint,
	"hostname_immutable":           checkBool,
	"dualstack":                    checkBool,
	"fips":                         checkBool,
	"anonymous":                    checkBool,
	"rate_limiter_capacity":        checkInt32,
	"role":                         checkARN,
	"request_checksum_calculation": checkChecksumMode,
	"response_checksum_validation": checkChecksumMode,
	"awssdk":                       anyValue, // ignored by gocloud
}

// gcsParams are the parameters gocloud's gcsblob.URLOpener reads.
var gcsParams = map[string]paramCheck{
	"access_id":        anyValue,
	"private_key_path": checkReadable,
	"anonymous":        checkBool,
	"universe_domain":  anyValue,
	"grpc":             checkBool,
	"zonal":            checkBool,
}

// azureParams are the parameters gocloud's azureblob.URLOpener reads.
var azureParams = map[string]paramCheck{
	"domain":          anyValue,
	"protocol":        checkProtocol,
	"cdn":             checkBool,
	"localemu":        checkBool,
	"storage_account": anyValue,
}

// checkParams checks the query parameters of a bucket URL for scheme.
func checkParams(scheme string, q url.Values) error {
	for _, name := range sortedNames(q) {
		if len(q[name]) > 1 {
			return fmt.Errorf("query parameter %q is given more than once", name)
		}
		if err := checkNested(q.Get(name)); err != nil {
			return fmt.Errorf("query parameter %q: %w", name, err)
		}
	}
	switch scheme {
	case "s3":
		return checkS3Params(q)
	case "gs":
		return checkKnown(q, gcsParams)
	case "azblob":
		if err := checkKnown(q, azureParams); err != nil {
			return err
		}
		return checkSASEndpoint(q)
	}
	return nil
}

// checkS3Params checks ours (s3Params) first, then what is left for the
// AWS config.
func checkS3Params(q url.Values) error {
	rest := url.Values{}
	for k, v := range q {
		rest[k] = v
	}
	if _, _, err := s3Params(rest); err != nil {
		return err
	}
	return checkKnown(rest, awsParams)
}

// checkKnown refuses parameters that are not in known, and bad values.
func checkKnown(q url.Values, known map[string]paramCheck) error {
	for _, name := range sortedNames(q) {
		check, ok := known[name]
		if !ok {
			return fmt.Errorf("unknown query parameter %q (known: %s)", name, strings.Join(sortedKeys(known), ", "))
		}
		if err := check(q.Get(name)); err != nil {
			return fmt.Errorf("query parameter %q: %w", name, err)
		}
	}
	return nil
}

func sortedNames(q url.Values) []string {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func sortedKeys(m map[string]paramCheck) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func anyValue(string) error { return nil }

func checkBool(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return fmt.Errorf("%q is not a boolean", v)
	}
	return nil
}

func checkInt32(v string) error {
	if _, err := strconv.ParseInt(v, 10, 32); err != nil {
		return fmt.Errorf("%q is not a 32-bit integer", v)
	}
	return nil
}

func checkARN(v string) error {
	if !strings.HasPrefix(v, "arn:") {
		return errors.New("not an ARN: want arn:...")
	}
	return nil
}

func checkChecksumMode(v string) error {
	switch strings.ToLower(v) {
	case "when_supported", "when_required":
		return nil
	}
	return fmt.Errorf("%q: use when_supported or when_required", v)
}

func checkProtocol(v string) error {
	if v != "http" && v != "https" {
		return fmt.Errorf("%q: use http or https", v)
	}
	return nil
}

// checkReadable checks that a key file exists and opens, without reading it.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return errors.Unwrap(err) // the *PathError would repeat the path
	}
	return f.Close()
}

// checkEndpoint checks an S3 endpoint URL: http(s), a host, a valid port and
// no credentials (checkNested has refused those already).
func checkEndpoint(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("not a valid URL: %w", urlErrCause(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("want an http(s)://host[:port] URL")
	}
	if u.Hostname() == "" {
		return errors.New("no host: want an http(s)://host[:port] URL")
	}
	return checkPort(u.Port())
}

// checkNested refuses credentials in a URL given as a parameter value, at
// any depth: a user info or a secret parameter.
func checkNested(v string) error {
	u, ok := nestedURL(v)
	if !ok {
		return nil
	}
	if u == nil {
		return errors.New("not a valid URL")
	}
	if u.User != nil {
		return errors.New("credentials do not belong in the URL; the storage drivers read them from the environment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return errors.New("not a valid URL query")
	}
	for _, name := range sortedNames(q) {
		if isSecretParam(name) {
			return fmt.Errorf("secret parameter %q in the URL; the storage drivers read credentials from the environment", name)
		}
		for _, v := range q[name] {
			if err := checkNested(v); err != nil {
				return fmt.Errorf("parameter %q: %w", name, err)
			}
		}
	}
	return nil
}

// checkPort checks the port of a URL, "" when it has none.
func checkPort(port string) error {
	if port == "" {
		return nil
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %s out of range: want 1 to 65535", port)
	}
	return nil
}
