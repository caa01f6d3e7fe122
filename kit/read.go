package kit

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxMeta bounds kit.json: thousands of files' worth.
const maxMeta = 4 << 20

// Read parses a kit made by Tar and checks every member against kit.json. The bytes come from storage:
// anything Tar never writes (links, devices, absolute or ".." names, duplicates, members kit.json does
// not list, a size or sha256 that differs) is refused with an error naming the entry.
func Read(b []byte) (*Kit, error) {
	tr := tar.NewReader(bytes.NewReader(b))
	m, err := readMeta(tr)
	if err != nil {
		return nil, err
	}
	k := &Kit{Files: m.Files, EncryptionConfig: m.EncryptionConfig}
	got := make([]bool, len(k.Files))
	last := metaName
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !(hdr != nil && errors.Is(err, tar.ErrInsecurePath)) { // insecure: checked below
			return nil, fmt.Errorf("kit: the entry after %q: %w", last, err)
		}
		last = hdr.Name
		if err := k.readMember(tr, hdr, got, int64(len(b))); err != nil {
			return nil, fmt.Errorf("kit: entry %q: %w", hdr.Name, err)
		}
	}
	for i, ok := range got {
		if !ok {
			return nil, fmt.Errorf("kit: %s is listed in %s but missing from the archive", k.Files[i].Path, metaName)
		}
	}
	return k, nil
}

// readMeta reads and checks kit.json, which must come first.
func readMeta(tr *tar.Reader) (*meta, error) {
	hdr, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("kit: reading %s: %w", metaName, err)
	}
	if hdr.Name != metaName || hdr.Typeflag != tar.TypeReg || hdr.Size > maxMeta {
		return nil, fmt.Errorf("kit: first entry %q: want %s, a regular file of at most %d bytes",
			hdr.Name, metaName, maxMeta)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("kit: %s: %w", metaName, err)
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("kit: %s: %w", metaName, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("kit: %s: %w", metaName, err)
	}
	return &m, nil
}

// check refuses metadata that Tar never writes, and sorts the files for lookups.
func (m *meta) check() error {
	if m.Version != Version {
		return fmt.Errorf("format version %d: this etcd-backupd reads version %d", m.Version, Version)
	}
	slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range m.Files {
		switch {
		case !filepath.IsAbs(f.Path) || filepath.Clean(f.Path) != f.Path || f.Path == "/":
			return fmt.Errorf("file %q: want a clean absolute path", f.Path)
		case i > 0 && m.Files[i-1].Path == f.Path:
			return fmt.Errorf("file %s listed twice", f.Path)
		case f.Mode&^fs.ModePerm != 0:
			return fmt.Errorf("file %s: mode %v: want permission bits only", f.Path, f.Mode)
		case f.Size < 0:
			return fmt.Errorf("file %s: size %d", f.Path, f.Size)
		case !isSHA256(f.SHA256):
			return fmt.Errorf("file %s: sha256 %q: want 64 lowercase hex digits", f.Path, f.SHA256)
		}
	}
	k := Kit{Files: m.Files}
	if _, ok := k.find(m.EncryptionConfig); m.EncryptionConfig != "" && !ok {
		return fmt.Errorf("encryption_config %s is not among the files", m.EncryptionConfig)
	}
	return nil
}

func isSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && hex.EncodeToString(b) == s
}

// readMember reads one file's member, checking it against its entry in kit.json.
func (k *Kit) readMember(r io.Reader, hdr *tar.Header, got []bool, limit int64) error {
	if err := checkName(hdr.Name); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return fmt.Errorf("%s, not a regular file", typeName(hdr))
	}
	i, ok := k.find("/" + hdr.Name)
	switch {
	case !ok:
		return fmt.Errorf("not listed in %s", metaName)
	case got[i]:
		return errors.New("a second time")
	}
	f := &k.Files[i]
	switch {
	case hdr.Size != f.Size || f.Size > limit:
		return fmt.Errorf("%d bytes, %s says %d", hdr.Size, metaName, f.Size)
	case hdr.Mode != int64(f.Mode):
		return fmt.Errorf("mode %o, %s says %o", hdr.Mode, metaName, f.Mode)
	}
	data := make([]byte, f.Size)
	if _, err := io.ReadFull(r, data); err != nil {
		return fmt.Errorf("truncated: %w", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
		return fmt.Errorf("sha256 %x, %s says %s", sum, metaName, f.SHA256)
	}
	f.data, got[i] = data, true
	return nil
}

// checkName accepts the names Tar writes: clean, relative, without "..".
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case strings.HasPrefix(name, "/"):
		return errors.New("absolute name")
	case slices.Contains(strings.Split(name, "/"), ".."):
		return errors.New(`".." in the name`)
	case path.Clean(name) != name:
		return errors.New("not a clean name")
	}
	return nil
}

func typeName(hdr *tar.Header) string {
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		return "a symbolic link to " + hdr.Linkname
	case tar.TypeLink:
		return "a hard link to " + hdr.Linkname
	case tar.TypeChar, tar.TypeBlock:
		return "a device"
	case tar.TypeDir:
		return "a directory"
	case tar.TypeFifo:
		return "a FIFO"
	}
	return fmt.Sprintf("type %q", hdr.Typeflag)
}
