package journal

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Layout builds the journal's keys under one cluster's folder:
//
//	<cluster>/wal/<first>-<last>.json                      the manifest: the commit marker
//	<cluster>/wal/<first>-<last>.<write>.jnl[.zst][.pgp]   the data
//
// Revisions are zero-padded to 16 digits so that keys sort by revision. <write> is 6 random hex
// digits per write, so that the data of a write cut short (a crash before its manifest) never
// blocks the next write of the same revisions: the manifest names the data it commits.
type Layout struct{ Cluster string }

const (
	manifestSuffix = ".json"
	dataSuffix     = ".jnl"
	revDigits      = 16
)

// Prefix is the journal's folder.
func (l Layout) Prefix() string { return l.Cluster + "/wal/" }

// Name is the name of the segment holding revisions first to last.
func Name(first, last int64) string {
	return fmt.Sprintf("%0*d-%0*d", revDigits, first, revDigits, last)
}

// ParseName returns the revisions a segment name holds.
func ParseName(name string) (first, last int64, ok bool) {
	a, b, found := strings.Cut(name, "-")
	if !found || len(a) != revDigits || len(b) != revDigits {
		return 0, 0, false
	}
	if !digitsOnly(a) || !digitsOnly(b) {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 1 || last < first {
		return 0, 0, false
	}
	return first, last, true
}

// isWrite says whether s is a write suffix: 6 lowercase hex digits.
func isWrite(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ManifestKey is the key of a segment's manifest.
func (l Layout) ManifestKey(name string) string { return l.Prefix() + name + manifestSuffix }

// DataKey is the key of a segment's data written by write (6 hex digits; "" for none) for the
// given compression and encryption.
func (l Layout) DataKey(name, write, compression string, encrypted bool) string {
	s := l.Prefix() + name
	if write != "" {
		s += "." + write
	}
	s += dataSuffix
	if compression == catalog.CompressionZstd {
		s += ".zst"
	}
	if encrypted {
		s += ".pgp"
	}
	return s
}

// dataOf says whether key is data of segment name, with the given compression and encryption.
func (l Layout) dataOf(key, name, compression string, encrypted bool) bool {
	if key == l.DataKey(name, "", compression, encrypted) {
		return true
	}
	write, ok := strings.CutPrefix(key, l.Prefix()+name+".")
	if !ok || len(write) < 6 {
		return false
	}
	return isWrite(write[:6]) && key == l.DataKey(name, write[:6], compression, encrypted)
}

// Owns says whether key is one of the journal's objects.
func (l Layout) Owns(key string) bool {
	_, _, ok := l.split(key)
	return ok
}

// split returns the segment name of a key under Prefix and whether it is a manifest.
func (l Layout) split(key string) (name string, manifest, ok bool) {
	rest, found := strings.CutPrefix(key, l.Prefix())
	if !found {
		return "", false, false
	}
	name, suffix, _ := strings.Cut(rest, ".")
	if _, _, ok := ParseName(name); !ok {
		return "", false, false
	}
	if write, after, found := strings.Cut(suffix, "."); found && isWrite(write) {
		suffix = after
	}
	switch "." + suffix {
	case manifestSuffix:
		return name, true, true
	case dataSuffix, dataSuffix + ".zst", dataSuffix + ".pgp", dataSuffix + ".zst.pgp":
		return name, false, true
	}
	return "", false, false
}
