package kit

import (
	"fmt"
	"io/fs"
	"sort"
)

// Options says what Collect gathers.
type Options struct {
	Paths []string // absolute files or directories, walked recursively
	// EncryptionConfig is Auto (the file named by a kube-apiserver manifest among the collected files),
	// "" (none) or an absolute path.
	EncryptionConfig string
	MaxBytes         int64 // total plain bytes; 0 is DefaultMaxBytes
}

// Auto, as Options.EncryptionConfig, finds the EncryptionConfiguration in the kube-apiserver manifest.
const Auto = "auto"

// DefaultMaxBytes bounds a kit: PKI and manifests are kilobytes, so more means a wrong path.
const DefaultMaxBytes = 64 << 20

// Version is the format version written in kit.json.
const Version = 1

// File is one file of the kit.
type File struct {
	Path   string      `json:"path"` // absolute, as on the node
	Mode   fs.FileMode `json:"mode"` // permission bits only
	Size   int64       `json:"size"`
	SHA256 string      `json:"sha256"` // hex
	data   []byte
}

// Skip is something Collect left out of the kit, for the caller to log.
type Skip struct {
	Path   string
	Reason string
}

// Kit is a set of files, sorted by path.
type Kit struct {
	Files []File
	// EncryptionConfig is the path of the kube-apiserver's EncryptionConfiguration among Files; ""
	// when the cluster does not encrypt at rest (or the kit was told not to look).
	EncryptionConfig string
	Skipped          []Skip // filled by Collect only: symbolic links and special files met in directories
}

// File returns the content of the file at path, such as k.EncryptionConfig.
func (k *Kit) File(path string) ([]byte, bool) {
	i, ok := k.find(path)
	if !ok {
		return nil, false
	}
	return k.Files[i].data, true
}

func (k *Kit) find(path string) (int, bool) {
	i := sort.Search(len(k.Files), func(i int) bool { return k.Files[i].Path >= path })
	return i, i < len(k.Files) && k.Files[i].Path == path
}

func (k *Kit) sort() {
	sort.Slice(k.Files, func(i, j int) bool { return k.Files[i].Path < k.Files[j].Path })
}

// Summary counts what a kit holds, for printing.
type Summary struct {
	Files            int
	Bytes            int64
	Secrets          int // private keys and the EncryptionConfiguration
	Skipped          int
	EncryptionConfig string
}

// Summary counts the kit's files and bytes.
func (k *Kit) Summary() Summary {
	s := Summary{Files: len(k.Files), Skipped: len(k.Skipped), EncryptionConfig: k.EncryptionConfig}
	for _, f := range k.Files {
		s.Bytes += f.Size
		if k.secret(f) {
			s.Secrets++
		}
	}
	return s
}

func (s Summary) String() string {
	enc := "no encryption config"
	if s.EncryptionConfig != "" {
		enc = "encryption config " + s.EncryptionConfig
	}
	return fmt.Sprintf("%d files (%d secret), %d bytes, %s, %d skipped",
		s.Files, s.Secrets, s.Bytes, enc, s.Skipped)
}
