package kit

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractRefusesToOverwrite(t *testing.T) {
	k := collect(t, kubeadmTree(t).opts)
	dir := t.TempDir()
	existing := filepath.Join(dir, k.Files[len(k.Files)-1].Path) // written last: the others are undone
	writeFile(t, existing, []byte("old"), 0o600)
	before := listTree(t, dir)
	written, err := k.Extract(dir)
	if err == nil || !strings.Contains(err.Error(), existing+" exists with another content: refusing to overwrite it") {
		t.Fatalf("Extract = %v, %v", written, err)
	}
	if after := listTree(t, dir); !maps.Equal(before, after) {
		t.Fatalf("Extract left\n%v\nwant\n%v", after, before)
	}
	if data, _ := os.ReadFile(existing); string(data) != "old" {
		t.Fatalf("the existing file now holds %q", data)
	}
}

// TestExtractTwice writes a kit into a dir that already holds it, as the members of one host do:
// identical files are left, and nothing is listed as written.
func TestExtractTwice(t *testing.T) {
	k := collect(t, kubeadmTree(t).opts)
	dir := t.TempDir()
	first, err := k.Extract(dir)
	if err != nil || len(first) != len(k.Files) {
		t.Fatalf("first Extract = %v, %v", first, err)
	}
	before := listTree(t, dir)
	second, err := k.Extract(dir)
	if err != nil || len(second) != 0 {
		t.Fatalf("second Extract = %v, %v; want nothing written", second, err)
	}
	if after := listTree(t, dir); !maps.Equal(before, after) {
		t.Fatalf("second Extract changed the tree:\n%v\nwant\n%v", after, before)
	}
}

func TestExtractRefusesSymlinks(t *testing.T) {
	k := collect(t, kubeadmTree(t).opts)
	elsewhere := t.TempDir()
	target := filepath.Join(elsewhere, "ca.crt")
	writeFile(t, target, []byte("untouched"), 0o644)
	first := k.Files[0].Path // the first file's top directory, as a link
	top := strings.Split(first, "/")[1]

	// A link where a directory goes.
	dir := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, top)); err != nil {
		t.Fatal(err)
	}
	_, err := k.Extract(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, top)+" is a symbolic link: refusing to write through it") {
		t.Fatalf("Extract through a linked directory = %v", err)
	}
	// A link where a file goes.
	dir = t.TempDir()
	link := filepath.Join(dir, first)
	os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Extract(dir); err == nil || !strings.Contains(err.Error(), link+" exists") {
		t.Fatalf("Extract onto a link = %v", err)
	}
	if got := listTree(t, elsewhere); len(got) != 2 {
		t.Fatalf("the link's target directory now holds %v", got)
	}
	if data, _ := os.ReadFile(target); string(data) != "untouched" {
		t.Fatalf("the link's target now holds %q", data)
	}
}

func TestWriteMode(t *testing.T) {
	for _, c := range []struct {
		mode, want os.FileMode
		secret     bool
	}{{0o644, 0o644, false}, {0o666, 0o644, false}, {0o755, 0o755, false}, {0o644, 0o600, true},
		{0o400, 0o400, true}, {0o777, 0o600, true}} {
		if got := writeMode(c.mode, c.secret); got != c.want {
			t.Errorf("writeMode(%v, %v) = %v, want %v", c.mode, c.secret, got, c.want)
		}
	}
}
