// Package workdir claims the private directories etcd-backupd writes into on the node: the spool
// and the drill scratch dir. It creates them 0700 and marks them as its own; it never chmods,
// cleans or follows a directory it did not create.
package workdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Marker is the file that says etcd-backupd created the directory holding it.
const Marker = ".etcd-backupd"

// legacyLock is the lock file that first-release spools hold, which predate the marker.
const legacyLock = ".lock"

// Claim makes dir a private directory of ours: it creates it 0700 with the marker, or accepts one
// that holds the marker (tightened back to 0700), is empty and owned by this user (as systemd's
// StateDirectory= makes it), or is a first-release spool (private, ours, with its lock). Anything
// else, such as /tmp or a home directory, is refused untouched.
func Claim(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return create(dir)
	}
	if err != nil {
		return err
	}
	mine, err := judge(dir, fi)
	if err != nil {
		return err
	}
	if !mine {
		if err := writeMarker(dir); err != nil {
			return err
		}
	}
	return chmodPrivate(dir)
}

// Check says whether Claim would refuse dir, changing nothing: for config validate.
func Check(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = judge(dir, fi)
	return err
}

// create makes dir and any missing parent, then marks dir as ours. A racing creator is judged as
// an existing directory.
func create(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); errors.Is(err, fs.ErrExist) {
		return Claim(dir)
	} else if err != nil {
		return err
	}
	if err := chmodPrivate(dir); err != nil { // the umask may have taken bits off, never added
		return err
	}
	return writeMarker(dir)
}

// judge accepts an existing dir, saying whether it holds the marker, or says why it is refused.
func judge(dir string, fi fs.FileInfo) (marked bool, err error) {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, fmt.Errorf("%s is a symbolic link: give the directory itself", dir)
	case !fi.IsDir():
		return false, fmt.Errorf("%s is not a directory", dir)
	}
	if marker, err := os.Lstat(filepath.Join(dir, Marker)); err == nil && marker.Mode().IsRegular() {
		switch {
		case !ownedByMe(fi) || !ownedByMe(marker):
			return false, fmt.Errorf("%s, or its %s, belongs to another user", dir, Marker)
		case shared(fi.Mode()): // anyone could have planted the marker there
			return false, fmt.Errorf("%s is shared (mode %04o): it is not etcd-backupd's, whatever it holds",
				dir, fi.Mode().Perm()|stickyBit(fi.Mode()))
		}
		return true, nil
	}
	if why := notAdoptable(dir, fi); why != "" {
		return false, fmt.Errorf("%s %s, and etcd-backupd did not create it (no %s in it): it never "+
			"chmods or cleans such a directory; give a path that does not exist yet, and it is created 0700",
			dir, why, Marker)
	}
	return false, nil
}

// notAdoptable says why an unmarked directory cannot be taken over, or "" when it can.
func notAdoptable(dir string, fi fs.FileInfo) string {
	perm := fi.Mode()
	switch {
	case shared(perm):
		return fmt.Sprintf("is shared (mode %04o)", perm.Perm()|stickyBit(perm))
	case !ownedByMe(fi):
		return "belongs to another user"
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	if len(ents) == 0 {
		return ""
	}
	if perm.Perm()&0o077 == 0 && isRegular(filepath.Join(dir, legacyLock)) {
		return "" // a first-release spool or scratch dir: private, with its lock
	}
	return fmt.Sprintf("holds %d other entries (%s, ...)", len(ents), ents[0].Name())
}

// chmodPrivate sets dir to 0700 through a handle that did not follow a link: a link swapped in
// since dir was judged is refused, not followed.
func chmodPrivate(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer unix.Close(fd)
	return unix.Fchmod(fd, 0o700)
}

// shared reports whether others may create entries in a directory of mode m.
func shared(m fs.FileMode) bool { return m&fs.ModeSticky != 0 || m.Perm()&0o022 != 0 }

func writeMarker(dir string) error {
	f, err := os.OpenFile(filepath.Join(dir, Marker), os.O_CREATE|os.O_EXCL|os.O_WRONLY|syscall.O_NOFOLLOW, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString("created by etcd-backupd: it may remove its own files here\n")
	return errors.Join(err, f.Close())
}

func isRegular(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

func stickyBit(m fs.FileMode) fs.FileMode {
	if m&fs.ModeSticky != 0 {
		return 0o1000
	}
	return 0
}
