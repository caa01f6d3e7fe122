package testgate

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records Fatalf and Skipf instead of stopping.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

func (r *recorder) Skipf(format string, args ...any) { r.skip = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	tests := []struct {
		name      string
		tool      string
		ci        string
		wantFound bool
		wantFatal string
		wantSkip  string
	}{
		{name: "on PATH", tool: "sh", ci: "true", wantFound: true},
		{name: "missing under CI", tool: "no-such-tool-xyz", ci: "true",
			wantFatal: "CI=true and no-such-tool-xyz is missing: run scripts/install-tools.sh"},
		{name: "missing outside CI", tool: "no-such-tool-xyz", ci: "",
			wantSkip: "no-such-tool-xyz is missing: run scripts/install-tools.sh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			got := Require(r, tc.tool)
			if (got != "") != tc.wantFound {
				t.Fatalf("Require(%q) = %q, want found=%v", tc.tool, got, tc.wantFound)
			}
			if r.fatal != tc.wantFatal {
				t.Fatalf("fatal = %q, want %q", r.fatal, tc.wantFatal)
			}
			if r.skip != tc.wantSkip {
				t.Fatalf("skip = %q, want %q", r.skip, tc.wantSkip)
			}
		})
	}
}

func TestLookupPrefersToolsBin(t *testing.T) {
	bin := t.TempDir()
	tool := filepath.Join(bin, "sh")
	if err := os.WriteFile(tool, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatalf("write %s: %v", tool, err)
	}
	notExec := filepath.Join(bin, "ls")
	if err := os.WriteFile(notExec, []byte("data"), 0o644); err != nil {
		t.Fatalf("write %s: %v", notExec, err)
	}
	if got := lookup(bin, "sh"); got != tool {
		t.Fatalf("lookup(sh) = %q, want %q", got, tool)
	}
	if got := lookup(bin, "ls"); got == notExec || got == "" {
		t.Fatalf("lookup(ls) = %q, want the ls on PATH", got)
	}
}

func TestRepoRoot(t *testing.T) {
	r := RepoRoot()
	if r == "" {
		t.Fatalf("RepoRoot() = \"\", want the directory holding go.mod")
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatalf("stat go.mod in RepoRoot %s: %v", r, err)
	}
	want := filepath.Join(r, ".tools", "bin")
	if got := ToolsBin(); got != want {
		t.Fatalf("ToolsBin() = %q, want %q", got, want)
	}
}

func TestFindRootNone(t *testing.T) {
	if got := findRoot(t.TempDir()); got != "" {
		t.Fatalf("findRoot(tempdir) = %q, want \"\"", got)
	}
}

func TestCI(t *testing.T) {
	tests := []struct {
		env  string
		want bool
	}{
		{env: "true", want: true},
		{env: "1", want: false},
		{env: "", want: false},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.env, func(t *testing.T) {
			t.Setenv("CI", tc.env)
			if got := CI(); got != tc.want {
				t.Fatalf("CI() with CI=%q = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}

// TestFreePortNeverTwice asks for more ports than the kernel's random pick gives without a repeat
// (a thousand draws from about 28000 ephemeral ports all but surely repeat one): FreePort must
// still return each only once, as tests bind them only later.
func TestFreePortNeverTwice(t *testing.T) {
	seen := map[int]bool{}
	for range 1000 {
		p := FreePort(t)
		if seen[p] {
			t.Fatalf("port %d returned twice", p)
		}
		seen[p] = true
	}
}
