package kit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Extract writes every file under dir at its path on the node (dir + Path) and returns the paths it
// wrote. It creates missing directories 0700, writes each file create-only with its mode (never group-
// or other-writable, 0600 at most for a private key or the EncryptionConfiguration) whatever the umask,
// refuses to overwrite a file (one already there with the same content is left and not listed, so
// that the members of one host may share dir), and never writes through a symbolic link: each
// directory on the way that it did not create must be a real one. On error it removes what it created. dir itself is the caller's.
func (k *Kit) Extract(dir string) ([]string, error) {
	x, err := openDest(dir)
	if err != nil {
		return nil, err
	}
	defer x.root.Close()
	var written []string
	for _, f := range k.Files {
		made, err := x.write(f, k.secret(f))
		if err != nil {
			x.undo()
			return nil, err
		}
		if made {
			written = append(written, filepath.Join(dir, f.Path))
		}
	}
	return written, nil
}

// extractor writes through an os.Root, so that even a link planted during the run cannot lead out of dir.
type extractor struct {
	dir     string
	root    *os.Root
	madeDir bool
	created []string // relative to dir, in order
}

// openDest opens dir, creating it 0700 when missing; its parent is the caller's choice.
func openDest(dir string) (*extractor, error) {
	x := &extractor{dir: dir}
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		x.madeDir = true
		if err := os.Chmod(dir, 0o700); err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("kit: %w", err)
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("kit: %w", err)
	}
	if x.root, err = os.OpenRoot(dir); err != nil {
		x.undo()
		return nil, fmt.Errorf("kit: %w", err)
	}
	return x, nil
}

// write creates one file, its parents first; made is false for an identical file already there.
func (x *extractor) write(f File, secret bool) (made bool, err error) {
	rel := strings.TrimPrefix(f.Path, "/")
	if err := x.parents(path.Dir(rel)); err != nil {
		return false, err
	}
	fd, err := x.root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if errors.Is(err, fs.ErrExist) {
		if x.same(rel, f.data) {
			return false, nil
		}
		return false, fmt.Errorf("kit: %s exists with another content: refusing to overwrite it", x.host(rel))
	} else if err != nil {
		return false, fmt.Errorf("kit: %s: %w", x.host(rel), err)
	}
	x.created = append(x.created, rel)
	_, err = fd.Write(f.data)
	err = errors.Join(err, fd.Chmod(writeMode(f.Mode, secret)), fd.Sync(), fd.Close())
	if err != nil {
		return false, fmt.Errorf("kit: %s: %w", x.host(rel), err)
	}
	return true, nil
}

// same reports whether the regular file at rel (not followed if a link) holds exactly data.
func (x *extractor) same(rel string, data []byte) bool {
	fd, err := x.root.OpenFile(rel, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	got, err := io.ReadAll(io.LimitReader(fd, int64(len(data))+1))
	return err == nil && bytes.Equal(got, data)
}

// parents makes sure every directory from dir down to rel is a real directory, creating those missing.
// A symbolic link on the way is refused: it could lead anywhere on the node.
func (x *extractor) parents(rel string) error {
	if rel == "." {
		return nil
	}
	cur := ""
	for _, name := range strings.Split(rel, "/") {
		cur = path.Join(cur, name)
		fi, err := x.root.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := x.mkdir(cur); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("kit: %w", err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("kit: %s is a symbolic link: refusing to write through it", x.host(cur))
		case !fi.IsDir():
			return fmt.Errorf("kit: %s is not a directory", x.host(cur))
		}
	}
	return nil
}

// mkdir creates one directory 0700, whatever the umask.
func (x *extractor) mkdir(rel string) error {
	if err := x.root.Mkdir(rel, 0o700); err != nil {
		return fmt.Errorf("kit: %w", err)
	}
	x.created = append(x.created, rel)
	d, err := x.root.OpenFile(rel, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("kit: %w", err)
	}
	if err := errors.Join(d.Chmod(0o700), d.Close()); err != nil {
		return fmt.Errorf("kit: %s: %w", x.host(rel), err)
	}
	return nil
}

// undo removes what Extract created, deepest first.
func (x *extractor) undo() {
	if x.root != nil {
		for _, rel := range slices.Backward(x.created) {
			x.root.Remove(rel)
		}
	}
	if x.madeDir {
		os.Remove(x.dir)
	}
}

func (x *extractor) host(rel string) string { return filepath.Join(x.dir, rel) }

// writeMode is a file's mode on extraction: never group- or other-writable, 0600 at most for a secret.
func writeMode(m fs.FileMode, secret bool) fs.FileMode {
	m = m.Perm() &^ 0o022
	if secret {
		m &= 0o600
	}
	return m
}

// secret reports whether f must stay private: a private key, or the EncryptionConfiguration that
// holds the keys of the Secrets.
func (k *Kit) secret(f File) bool {
	return f.Path == k.EncryptionConfig || isPrivateKey(f.Path, f.data)
}

// isPrivateKey reports a private key as kubeadm names them (*.key) or as PEM says.
func isPrivateKey(p string, data []byte) bool {
	return strings.HasSuffix(p, ".key") || bytes.Contains(data, []byte("PRIVATE KEY"))
}
