package catalog

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// TimeLayout is the UTC time part of an ID. IDs sort by time when sorted as text.
const TimeLayout = "20060102T150405Z"

// writerLen is the number of bytes of the random writer suffix, written as hex.
const writerLen = 3

// The writer suffix is optional: IDs written before it existed stay valid.
var idRE = regexp.MustCompile(`^(\d{8}T\d{6}Z)-r(\d{12})(?:-[0-9a-f]{6})?$`)

// NewID builds the ID of a backup taken at t from a store at revision rev, without a writer suffix:
// the form older versions wrote. New backups take NewUniqueID.
func NewID(t time.Time, rev int64) string {
	return fmt.Sprintf("%s-r%012d", t.UTC().Format(TimeLayout), rev)
}

// NewUniqueID is NewID with a random writer suffix, <time>-r<revision>-<6 hex digits>: two nodes
// that snapshot the same revision in the same second still name two backups. The suffix comes last,
// so IDs still sort by time, then by revision.
func NewUniqueID(t time.Time, rev int64) string {
	b := make([]byte, writerLen)
	rand.Read(b) // never fails: crypto/rand aborts the program instead
	return NewID(t, rev) + "-" + hex.EncodeToString(b)
}

// ParseID returns the time and revision encoded in id.
func ParseID(id string) (time.Time, int64, error) {
	m := idRE.FindStringSubmatch(id)
	if m == nil {
		return time.Time{}, 0, fmt.Errorf("backup ID %q: want <%s>-r<12 digits>, optionally followed by -<6 hex digits>", id, TimeLayout)
	}
	t, err := time.Parse(TimeLayout, m[1])
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("backup ID %q: %w", id, err)
	}
	rev, _ := strconv.ParseInt(m[2], 10, 64)
	return t, rev, nil
}

// ValidID reports whether id has the form of a backup ID.
func ValidID(id string) bool {
	_, _, err := ParseID(id)
	return err == nil
}
