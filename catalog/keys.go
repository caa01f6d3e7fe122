package catalog

import (
	"path"
	"strings"
	"time"
)

// Data object suffixes, by compression.
const (
	SuffixZstdPGP  = ".db.zst.pgp"
	SuffixPGP      = ".db.pgp"
	SuffixZstd     = ".db.zst"
	SuffixPlain    = ".db"
	manifestSuffix = ".json"
	// SuffixKit is the suffix of a backup's restore kit: a tar, zstd, always encrypted (it holds
	// private keys).
	SuffixKit = ".kit.tar.zst.pgp"
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

// KitKey is the key of a backup's restore kit.
func (l Layout) KitKey(id string) string { return l.SnapshotsPrefix() + id + SuffixKit }

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

// DrillID returns the backup ID of a drill record key <DrillsPrefix><ID>.<time>.json.
func (l Layout) DrillID(key string) (string, bool) {
	name, ok := strings.CutPrefix(key, l.DrillsPrefix())
	if !ok || strings.Contains(name, "/") {
		return "", false
	}
	name, ok = strings.CutSuffix(name, manifestSuffix)
	if !ok {
		return "", false
	}
	id, at, ok := strings.Cut(name, ".")
	if !ok || !ValidID(id) {
		return "", false
	}
	if _, err := time.Parse(DrillTimeLayout, at); err != nil {
		return "", false
	}
	return id, true
}

// objectSuffixes are the suffixes of the objects a backup consists of.
var objectSuffixes = []string{SuffixZstdPGP, SuffixPGP, SuffixZstd, SuffixPlain, SuffixKit, manifestSuffix}

// ObjectID returns the ID of a key <SnapshotsPrefix><ID><data or manifest suffix>, or "": a stray
// key that merely starts with an ID is not a backup's.
func (l Layout) ObjectID(key string) string {
	name, ok := strings.CutPrefix(key, l.SnapshotsPrefix())
	if !ok {
		return ""
	}
	for _, s := range objectSuffixes {
		if id, ok := strings.CutSuffix(name, s); ok && ValidID(id) {
			return id
		}
	}
	return ""
}
