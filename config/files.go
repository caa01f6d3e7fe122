package config

import (
	"fmt"
	"os"
	"strings"
	"unicode"
)

// hasControl reports whether s holds a control character; a tab counts only when tabOK is false.
func hasControl(s string, tabOK bool) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(tabOK && r == '\t')
	})
}

// checkFile checks that path is a regular file that can be opened for reading, without reading it.
// With nonEmpty an empty file is refused too.
func checkFile(path string, nonEmpty bool) error {
	if hasControl(path, false) {
		return fmt.Errorf("%q: control characters in a file path", path)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if nonEmpty && st.Size() == 0 {
		return fmt.Errorf("%s is empty", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}
