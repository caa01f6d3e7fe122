package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// What a command killed mid-way leaves, and the next one that uses the place removes: FILE.part of a
// fetch; <data dir>.restore-<digits>/ of a restore (.etcd-backupd-restore-<digits>/ inside a data
// dir that is a mount point); drill-<digits>/ in the scratch dir. Each holds plaintext. A file or
// directory is taken for ours only when it is no link, belongs to this user, has no group or other
// bits, holds what we write there, and no live process holds its lock (flock, which the kernel
// drops when the holder dies); anything else is left alone.

// createPrivate creates path as a new file (0600 whatever the umask), never opening one that
// exists or a link, and locks it until it is closed.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil { // a umask may have taken bits off, which we need
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := lockHeld(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// lockDir opens dir (no link) and locks it, until the returned file is closed.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	if err := lockHeld(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lockHeld takes f's exclusive lock, which says "in use" to inUse. It waits: only inUse takes the
// lock of someone else's file, and only for a moment.
func lockHeld(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			if err != nil {
				return fmt.Errorf("lock %s: %w", f.Name(), err)
			}
			return nil
		}
	}
}

// inUse reports whether a live process holds path's lock. A path that cannot be opened without
// following a link counts as in use: it is not ours to remove.
func inUse(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return true
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB) != nil
}

// private reports whether fi is no link and has no group or other bits.
func private(fi fs.FileInfo) bool {
	return fi.Mode()&fs.ModeSymlink == 0 && fi.Mode().Perm()&0o077 == 0
}

// mine reports whether fi belongs to this user.
func mine(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// boltMagic is the magic number of a bbolt file's meta page, at byte 16, in either byte order.
var boltMagic = [][]byte{{0xed, 0xda, 0x0c, 0xed}, {0xed, 0x0c, 0xda, 0xed}}

// snapshotStart reports whether the regular file at path is empty or starts as a bbolt file (an
// etcd snapshot) does.
func snapshotStart(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if fi.Size() == 0 {
		return true // created, killed before the first write
	}
	head := make([]byte, 20)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head[16:], boltMagic[0]) || bytes.Equal(head[16:], boltMagic[1])
}

// partLeftover reports whether path is the FILE.part of a fetch that was killed.
func partLeftover(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode().IsRegular() && private(fi) && mine(fi) && !inUse(path) && snapshotStart(path)
}

// workLeftover reports whether dir is a restore's or a deep verification's private directory whose
// process was killed: it holds nothing but the plain snapshot and the restored data dir (and the
// member's socket, in a scratch dir). anyOwner accepts another user's, for a report.
func workLeftover(dir string, anyOwner bool) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || !private(fi) || !(anyOwner || mine(fi)) || inUse(dir) {
		return false
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.Name() == plainName && e.Type().IsRegular() && snapshotStart(p):
		case e.Name() == dataName && e.IsDir():
		case e.Name() == sockName && e.Type()&fs.ModeSocket != 0:
		default:
			return false
		}
	}
	return true
}

// Names inside a work dir.
const (
	plainName = "snapshot.db"
	dataName  = "data"
	sockName  = "client.sock"
)

// leftovers lists the entries of dir named prefix<digits> that workLeftover accepts. A dir that
// does not exist has none.
func leftovers(dir, prefix string, anyOwner bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && digits(rest) && workLeftover(filepath.Join(dir, e.Name()), anyOwner) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// removeLeftoverDirs removes what leftovers lists, links inside unfollowed (os.RemoveAll).
func removeLeftoverDirs(dir, prefix string, lg *zap.Logger) error {
	paths, err := leftovers(dir, prefix, false)
	if err != nil {
		return fmt.Errorf("look for leftovers of killed runs in %s: %w", dir, err)
	}
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove the leftover of a killed run: %w", err)
		}
		lg.Warn("removed the leftover of a killed run (plaintext)", zap.String("path", p))
	}
	return nil
}

// digits reports whether s is a non-empty run of decimal digits, as os.MkdirTemp fills in.
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ScratchLeftovers lists the directories that deep verifications killed mid-way left in the
// scratch dir root, each holding a plain snapshot, whoever ran them: the next deep verification
// there removes them. A directory a running verification holds is not listed.
func ScratchLeftovers(root string) ([]string, error) {
	return leftovers(root, scratchPrefix, true)
}
