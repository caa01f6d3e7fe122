package kit

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// metaName is the first member of the archive: the kit's metadata.
const metaName = "kit.json"

// meta is kit.json.
type meta struct {
	Version          int    `json:"version"`
	EncryptionConfig string `json:"encryption_config"`
	Files            []File `json:"files"`
}

// epoch is every member's mtime, so that the archive depends on the files' content only.
var epoch = time.Unix(0, 0)

// Tar packs the kit: kit.json, then every file sorted by path, named without the leading slash,
// owned by 0:0 with a fixed mtime. An unchanged kit packs to the same bytes.
func (k *Kit) Tar() ([]byte, error) {
	files := slices.Clone(k.Files)
	if files == nil {
		files = []File{}
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	m, err := json.MarshalIndent(meta{Version: Version, EncryptionConfig: k.EncryptionConfig, Files: files}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("kit: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := writeMember(tw, metaName, 0o600, append(m, '\n')); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := writeMember(tw, strings.TrimPrefix(f.Path, "/"), f.Mode, f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("kit: %w", err)
	}
	return buf.Bytes(), nil
}

func writeMember(tw *tar.Writer, name string, mode fs.FileMode, data []byte) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: int64(mode.Perm()), Size: int64(len(data)),
		ModTime: epoch}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("kit: %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("kit: %s: %w", name, err)
	}
	return nil
}
