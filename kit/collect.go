package kit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Collect reads the kit's files on this node: every path of o.Paths (a file, or a directory's regular
// files), then the EncryptionConfiguration. It never follows a symbolic link: one given as a path is an
// error, one met in a directory is skipped and listed in Kit.Skipped, like any other special file.
func Collect(o Options) (*Kit, error) {
	c := collector{max: o.MaxBytes, seen: map[string]bool{}}
	if c.max <= 0 {
		c.max = DefaultMaxBytes
	}
	for _, p := range o.Paths {
		if err := c.path(p); err != nil {
			return nil, err
		}
	}
	c.kit.sort()
	if err := c.encryptionConfig(o.EncryptionConfig); err != nil {
		return nil, err
	}
	return &c.kit, nil
}

type collector struct {
	kit   Kit
	max   int64
	total int64
	seen  map[string]bool
}

// path adds one of Options.Paths.
func (c *collector) path(p string) error {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return fmt.Errorf("kit.paths: %q: want a clean absolute path", p)
	}
	fi, err := lstat(p, "kit.paths")
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return c.dir(p)
	case fi.Mode().IsRegular():
		return c.file(p, "kit.paths")
	default:
		return fmt.Errorf("kit.paths: %s is not a regular file or a directory (%s)", p, fi.Mode().Type())
	}
}

// lstat refuses a missing path and a symbolic link, naming the field that gave the path.
func lstat(p, field string) (fs.FileInfo, error) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %s does not exist", field, p)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", field, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s: %s is a symbolic link%s: name its target instead", field, p, linkTarget(p))
	}
	return fi, nil
}

func linkTarget(p string) string {
	if t, err := os.Readlink(p); err == nil {
		return " to " + t
	}
	return ""
}

// dir adds the regular files under root. WalkDir does not follow links; neither do we.
func (c *collector) dir(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return fmt.Errorf("kit.paths: %w", err)
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			c.skip(p, "symbolic link"+linkTarget(p)+": not followed; name its target in kit.paths to keep it")
			return nil
		case !d.Type().IsRegular():
			c.skip(p, fmt.Sprintf("not a regular file (%s)", d.Type()))
			return nil
		}
		return c.file(p, "kit.paths")
	})
}

func (c *collector) skip(p, reason string) {
	c.kit.Skipped = append(c.kit.Skipped, Skip{Path: p, Reason: reason})
}

// file reads p within the kit's byte budget. O_NOFOLLOW and the fstat close the window between the
// listing and the open; O_NONBLOCK keeps a FIFO put there meanwhile from blocking the open.
func (c *collector) file(p, field string) error {
	if c.seen[p] {
		return nil // under two of the kit's paths
	}
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %s is not a regular file (%s)", field, p, fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, c.max-c.total+1))
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	if c.total += int64(len(data)); c.total > c.max {
		return fmt.Errorf("%s: the kit is over its %d bytes at %s: are the paths right?", field, c.max, p)
	}
	sum := sha256.Sum256(data)
	c.kit.Files = append(c.kit.Files, File{Path: p, Mode: fi.Mode().Perm(), Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), data: data})
	c.seen[p] = true
	return nil
}
