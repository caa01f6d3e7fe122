package catalog

import (
	"path"
	"strings"
)

// Data object suffixes, by compression.
const (
	SuffixZstdPGP  = ".db.zst.pgp"
	SuffixPGP      = ".db.pgp"
	SuffixZstd     = ".db.zst"
	SuffixPlain    = ".db"
	manifestSuffix = ".json"
)

// DataSuffix is the suffix of a data object for the given compression ("zstd" or "none") and encryption.
func DataSuffix(compression string, encrypted bool) string {
	s := SuffixPlain
	if compression == CompressionZstd {
		s = SuffixZstd
	}
	if encrypted {
		s += ".pgp"
	}
	return s
}

// Layout builds object keys under one cluster's folder.
type Layout struct{ Cluster string }

// SnapshotsPrefix is the folder of data objects and manifests.
func (l Layout) SnapshotsPrefix() string { return l.Cluster + "/snapshots/" }

// DrillsPrefix is the folder of drill records.
func (l Layout) DrillsPrefix() string { return l.Cluster + "/drills/" }

// DataKey is the key of a backup's data object.
func (l Layout) DataKey(id, suffix string) string { return l.SnapshotsPrefix() + id + suffix }

// ManifestKey is the key of a backup's manifest.
func (l Layout) ManifestKey(id string) string { return l.SnapshotsPrefix() + id + manifestSuffix }

// DrillKey is the key of one drill record.
func (l Layout) DrillKey(id, at string) string {
	return l.DrillsPrefix() + id + "." + at + manifestSuffix
}

// splitSnapshotKey returns the ID and suffix of a key under SnapshotsPrefix, or ok=false for keys that are not ours.
func (l Layout) splitSnapshotKey(key string) (id, suffix string, ok bool) {
	rest, found := strings.CutPrefix(key, l.SnapshotsPrefix())
	if !found || strings.Contains(rest, "/") {
		return "", "", false
	}
	base := path.Base(rest)
	i := strings.IndexByte(base, '.')
	if i < 0 || !ValidID(base[:i]) {
		return "", "", false
	}
	return base[:i], base[i:], true
}
