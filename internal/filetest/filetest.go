// Package filetest holds the file helpers tests share: a description of a tree, to tell that
// nothing changed, and the rewrite of a JSON file, to forge a manifest or a record.
package filetest

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Tree describes every entry under path, links unfollowed: path, mode, size and link target. A
// missing path is described as empty.
func Tree(t testing.TB, path string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link, _ := os.Readlink(p)
		b.WriteString(strings.Join([]string{p, fi.Mode().String(), strconv.FormatInt(fi.Size(), 10), link}, " ") + "\n")
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return b.String()
}

// EditJSON reads the JSON object in from, changes it through edit and writes it to to (0600).
func EditJSON(t testing.TB, from, to string, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
