package imagebuild

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestImageFiles(t *testing.T) {
	img, _, o := writeImage(t, time.Time{})
	files := extract(t, img)
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := os.ReadFile(o.CABundle)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path     string
		mode     int64
		uid      int
		contains []byte // nil: no content check; else the file holds exactly or contains it
		exact    bool
	}{
		{BinaryPath, 0o755, 0, bin, true},
		{CABundlePath, 0o644, 0, bundle, true},
		{"/etc/passwd", 0o644, 0, []byte("nonroot:x:65532:65532:"), false},
		{"/etc/group", 0o644, 0, []byte("nonroot:x:65532:"), false},
		{SpoolDir, 0o700, UID, nil, false},
		{"/tmp", 0o1777, 0, nil, false},
	}
	for _, tc := range tests {
		f, ok := files[tc.path]
		switch {
		case !ok:
			t.Errorf("%s: not in the image", tc.path)
		case f.hdr.Mode != tc.mode || f.hdr.Uid != tc.uid:
			t.Errorf("%s: mode %o uid %d, want %o uid %d", tc.path, f.hdr.Mode, f.hdr.Uid, tc.mode, tc.uid)
		case !f.hdr.ModTime.Equal(time.Unix(0, 0)):
			t.Errorf("%s: mtime %s, want the Unix epoch", tc.path, f.hdr.ModTime)
		case tc.exact && !bytes.Equal(f.data, tc.contains):
			t.Errorf("%s: content differs from its source (%d bytes, want %d)", tc.path, len(f.data), len(tc.contains))
		case !tc.exact && tc.contains != nil && !bytes.Contains(f.data, tc.contains):
			t.Errorf("%s: %q does not contain %q", tc.path, f.data, tc.contains)
		}
	}
	// The binary taken out of the image still runs.
	exe := filepath.Join(t.TempDir(), "etcd-backupd")
	if err := os.WriteFile(exe, files[BinaryPath].data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe, "run").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello [run]" {
		t.Fatalf("binary from the image: %q, %v; want \"hello [run]\"", out, err)
	}
}

// TestReproducible: the same inputs give the same image digest.
func TestReproducible(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	a, _, _ := writeImage(t, at)
	b, _, _ := writeImage(t, at)
	da, err := a.Digest()
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if da != db {
		t.Fatalf("two builds: %s and %s, want one digest", da, db)
	}
}

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dynamic := "/bin/true"
	if _, err := checkStatic(dynamic); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("%s must be a dynamically linked binary on the test machine; checkStatic = %v", dynamic, err)
	}
	hello := staticHello(t)
	tests := []struct {
		name   string
		tag    string
		o      Options
		errHas string
	}{
		{"dynamic binary", testTag, Options{Binary: dynamic}, "build it with CGO_ENABLED=0"},
		{"not ELF", testTag, Options{Binary: text}, "binary " + text},
		{"missing binary", testTag, Options{Binary: filepath.Join(dir, "nope")}, "binary " + filepath.Join(dir, "nope")},
		{"missing CA bundle", testTag, Options{Binary: hello, CABundle: filepath.Join(dir, "ca.pem")}, "CA bundle: stat "},
		{"bad tag", "Not A Tag!", Options{Binary: hello}, `image tag "Not A Tag!"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".tar")
			err := Write(out, tc.tag, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("Write = %v, want an error containing %q", err, tc.errHas)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("Write failed but left %s (%v)", out, err)
			}
		})
	}
}
