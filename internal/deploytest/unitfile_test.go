package deploytest

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Unit is a parsed systemd unit file: section -> key -> values, in file order. A key set
// several times keeps every value; an empty assignment is kept as "".
type Unit map[string]map[string][]string

// ParseUnit parses the subset of the systemd unit syntax the project's units use: sections,
// Key=Value lines and comments. It refuses continuation lines and lines outside a section.
func ParseUnit(data []byte) (Unit, error) {
	u := Unit{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case strings.HasSuffix(line, "\\"):
			return nil, fmt.Errorf("line %d: continuation lines are not supported", n)
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			return nil, fmt.Errorf("line %d: %q: want Key=Value inside a section", n, line)
		}
		key = strings.TrimSpace(key)
		u[section][key] = append(u[section][key], strings.TrimSpace(val))
	}
	return u, sc.Err()
}

// Get returns the last value of key in section, and whether it is set.
func (u Unit) Get(section, key string) (string, bool) {
	v := u[section][key]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}
