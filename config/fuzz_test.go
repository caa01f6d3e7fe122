package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse checks that Parse never panics, and that a config it accepts is valid and survives
// a YAML round trip unchanged. The seeds in testdata/fuzz/FuzzParse name the fixture's files
// (recipient.asc, ca.crt ...) by relative paths.
func FuzzParse(f *testing.F) {
	fx := needFixture(f)
	source := filepath.Join(fx.dir, "config.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, source)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate refuses: %v", err)
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("marshal accepted config: %v", err)
		}
		c2, err := Parse(out, source)
		if err != nil {
			t.Fatalf("re-parse:\n%s\nerror: %v", out, err)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v\nYAML:\n%s", c, c2, out)
		}
	})
}

// TestFuzzSeedsValid makes sure the seeds named valid_* parse, so the round trip is exercised.
func TestFuzzSeedsValid(t *testing.T) {
	fx := needFixture(t)
	paths, err := filepath.Glob("testdata/fuzz/FuzzParse/valid_*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no valid_* seeds: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(string(raw), "\n", 3)
			if len(lines) < 2 {
				t.Fatalf("seed %s has no value line", p)
			}
			lit, ok := strings.CutPrefix(strings.TrimSuffix(lines[1], ")"), "[]byte(")
			data, err := strconv.Unquote(lit)
			if !ok || err != nil {
				t.Fatalf("read seed %s: %v", p, err)
			}
			if _, err := Parse([]byte(data), filepath.Join(fx.dir, "config.yaml")); err != nil {
				t.Fatalf("seed %s: %v", p, err)
			}
		})
	}
}
