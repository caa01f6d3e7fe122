package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// TimeLayout is the UTC time part of an ID. IDs sort by time when sorted as text.
const TimeLayout = "20060102T150405Z"

var idRE = regexp.MustCompile(`^(\d{8}T\d{6}Z)-r(\d{12})$`)

// NewID builds the ID of a backup taken at t from a store at revision rev.
func NewID(t time.Time, rev int64) string {
	return fmt.Sprintf("%s-r%012d", t.UTC().Format(TimeLayout), rev)
}

// ParseID returns the time and revision encoded in id.
func ParseID(id string) (time.Time, int64, error) {
	m := idRE.FindStringSubmatch(id)
	if m == nil {
		return time.Time{}, 0, fmt.Errorf("backup ID %q: want <%s>-r<12 digits>", id, TimeLayout)
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
