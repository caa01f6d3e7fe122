package kit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCollectTarReadExtract(t *testing.T) {
	tr := kubeadmTree(t)
	k := collect(t, tr.opts)
	if k.EncryptionConfig != tr.enc {
		t.Fatalf("EncryptionConfig = %q, want %q", k.EncryptionConfig, tr.enc)
	}
	if data, ok := k.File(tr.enc); !ok || string(data) != encConfig {
		t.Fatalf("File(%s) = %q, %v", tr.enc, data, ok)
	}
	if s := k.Summary(); s.Files != 11 || s.Secrets != 5 || len(k.Skipped) != 0 {
		t.Fatalf("Summary = %v, skipped %v", s, k.Skipped)
	}
	a, err := k.Tar()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Tar()
	c, _ := collect(t, tr.opts).Tar()
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("Tar of an unchanged kit differs")
	}
	r, err := Read(a)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if r.EncryptionConfig != k.EncryptionConfig || len(r.Files) != len(k.Files) {
		t.Fatalf("Read = %+v, want %+v", r, k)
	}
	for i, f := range r.Files {
		if w := k.Files[i]; f.Path != w.Path || f.Mode != w.Mode || f.SHA256 != w.SHA256 || !bytes.Equal(f.data, w.data) {
			t.Fatalf("file %d = %+v, want %+v", i, f, w)
		}
	}
	for _, umask := range []int{0, 0o077} {
		dir := filepath.Join(t.TempDir(), "restore")
		var written []string
		withUmask(umask, func() { written, err = r.Extract(dir) })
		if err != nil || len(written) != len(k.Files) {
			t.Fatalf("umask %o: Extract = %v, %v", umask, written, err)
		}
		checkExtracted(t, k, dir)
	}
}

// checkExtracted compares what Extract wrote under dir with the kit.
func checkExtracted(t *testing.T, k *Kit, dir string) {
	t.Helper()
	for _, f := range k.Files {
		p := filepath.Join(dir, f.Path)
		data, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(data, f.data) {
			t.Fatalf("%s: %v, content differs", p, err)
		}
		want := os.FileMode(0o644)
		switch {
		case strings.HasSuffix(p, ".key"), f.Path == k.EncryptionConfig, strings.HasSuffix(p, "kube-apiserver.yaml"):
			want = 0o600
		}
		if fi, _ := os.Lstat(p); fi.Mode() != want {
			t.Fatalf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	for rel, mode := range listTree(t, dir) {
		if mode.IsDir() && mode.Perm() != 0o700 {
			t.Fatalf("directory %s: mode %v, want 0700", rel, mode)
		}
	}
}

func TestSummaryString(t *testing.T) {
	s := Summary{Files: 2, Secrets: 1, Bytes: 10, EncryptionConfig: "/e.yaml"}.String()
	if s != "2 files (1 secret), 10 bytes, encryption config /e.yaml, 0 skipped" {
		t.Fatal(s)
	}
}
