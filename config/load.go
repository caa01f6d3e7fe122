package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxFileSize bounds the config file; a real one is a few kilobytes.
const maxFileSize = 1 << 20

// Load reads the config file at path, decodes it strictly, applies the defaults and validates it.
// Relative file paths inside it are resolved against the directory of path.
func Load(path string) (*Config, error) {
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
	return Parse(data, abs)
}

// Parse is Load for data already read. source names the file in errors, and relative file paths
// are resolved against its directory. On failure the error wraps an *Errors.
func Parse(data []byte, source string) (*Config, error) {
	c := Default()
	if errs := decode(data, c); len(errs) > 0 {
		return nil, withSource(source, errs.err())
	}
	c.finish(filepath.Dir(source))
	if err := c.Validate(); err != nil {
		return nil, withSource(source, err)
	}
	return c, nil
}
