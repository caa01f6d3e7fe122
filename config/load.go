package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxFileSize bounds the config file; a real one is a few kilobytes.
const maxFileSize = 1 << 20

// Load reads the config file at path, decodes it strictly, applies the defaults and validates it.
// Relative file paths inside it are resolved against the directory of path.
func Load(path string) (*Config, error) {
	return load(path, false)
}

// LoadForCheck is Load for the check command, which reports the validity periods of etcd.cert
// and etcd.cacert itself, as findings: there an expired certificate is no config error.
func LoadForCheck(path string) (*Config, error) {
	return load(path, true)
}

func load(path string, certsChecked bool) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("load config %s: larger than %d bytes", path, maxFileSize)
	}
	return parse(data, abs, certsChecked)
}

// Parse is Load for data already read. source names the file in errors, and relative file paths
// are resolved against its directory. On failure the error wraps an *Errors.
func Parse(data []byte, source string) (*Config, error) {
	return parse(data, source, false)
}

// parse is Parse; with certsChecked, etcd certificates out of their validity are left out.
func parse(data []byte, source string, certsChecked bool) (*Config, error) {
	c := Default()
	errs, failed := decode(data, c)
	if !slices.Contains(failed, "") {
		c.finish(filepath.Dir(source))
		errs = append(errs, validationErrors(c, failed)...)
	}
	if certsChecked {
		errs = slices.DeleteFunc(errs, func(fe *FieldError) bool { return fe.validity })
	}
	if len(errs) > 0 {
		return nil, withSource(source, errs.err())
	}
	return c, nil
}

// validationErrors validates c after the decoder's problems, so that every problem is reported at
// once, but leaves out those of the failed paths and of what holds them: they kept a default the
// file did not ask for.
func validationErrors(c *Config, failed []string) Errors {
	var all *Errors
	if !errors.As(c.Validate(), &all) {
		return nil
	}
	var out Errors
	for _, fe := range *all {
		if !underAny(fe.Field, failed) {
			out = append(out, fe)
		}
	}
	return out
}

// underAny reports whether field is one of paths, inside one or holds one.
func underAny(field string, paths []string) bool {
	for _, p := range paths {
		if inside(field, p) || inside(p, field) {
			return true
		}
	}
	return false
}

// inside reports whether path is parent or a path within it, such as parent.key or parent[1].
func inside(path, parent string) bool {
	return path == parent || strings.HasPrefix(path, parent+".") || strings.HasPrefix(path, parent+"[")
}
