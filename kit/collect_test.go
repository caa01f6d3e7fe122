package kit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCollectRefuses(t *testing.T) {
	tr := kubeadmTree(t)
	link := filepath.Join(tr.root, "pki-link")
	if err := os.Symlink(tr.pki, link); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(tr.root, "etc/kubernetes/manifests/kube-scheduler.yaml")
	cases := map[string]struct {
		o    Options
		want []string
	}{
		"symlink path":   {Options{Paths: []string{link}}, []string{"kit.paths: " + link + " is a symbolic link to " + tr.pki, "name its target"}},
		"missing path":   {Options{Paths: []string{missing}}, []string{"kit.paths: " + missing + " does not exist"}},
		"relative path":  {Options{Paths: []string{"etc/kubernetes"}}, []string{`kit.paths: "etc/kubernetes": want a clean absolute path`}},
		"unclean path":   {Options{Paths: []string{tr.pki + "/"}}, []string{"want a clean absolute path"}},
		"over max bytes": {Options{Paths: []string{tr.pki}, MaxBytes: 2000}, []string{"kit.paths: the kit is over its 2000 bytes at " + tr.pki}},
		"explicit encryption config missing": {Options{Paths: []string{tr.pki}, EncryptionConfig: missing},
			[]string{"kit.encryption_config: " + missing + " does not exist"}},
		"relative encryption config": {Options{Paths: []string{tr.pki}, EncryptionConfig: "enc.yaml"},
			[]string{`kit.encryption_config: "enc.yaml": want auto`}},
	}
	for name, c := range cases {
		k, err := Collect(c.o)
		if err == nil {
			t.Fatalf("%s: Collect = %+v, want an error", name, k)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: %v, want %q in it", name, err, w)
			}
		}
	}
}

func TestCollectSkipsLinksAndSpecialFiles(t *testing.T) {
	tr := kubeadmTree(t)
	outside := filepath.Join(t.TempDir(), "secret")
	writeFile(t, outside, []byte("not for the kit"), 0o600)
	link, fifo := filepath.Join(tr.pki, "extra.crt"), filepath.Join(tr.pki, "sub/fifo")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(fifo), 0o700)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The pki directory and a file under it: each file is collected once.
	k := collect(t, Options{Paths: []string{tr.pki, filepath.Join(tr.pki, "ca.crt")}})
	if len(k.Files) != 8 || k.EncryptionConfig != "" {
		t.Fatalf("files %d, encryption config %q", len(k.Files), k.EncryptionConfig)
	}
	if len(k.Skipped) != 2 || k.Skipped[0].Path != link || !strings.Contains(k.Skipped[0].Reason, "symbolic link to "+outside) ||
		k.Skipped[1].Path != fifo || !strings.Contains(k.Skipped[1].Reason, "not a regular file") {
		t.Fatalf("Skipped = %+v", k.Skipped)
	}
}

func TestCollectEncryptionConfig(t *testing.T) {
	tr := kubeadmTree(t)
	apiserver := filepath.Join(tr.manifests, "kube-apiserver.yaml")
	// The flag and its value as two arguments, in args; the file under a kit path.
	inside := filepath.Join(tr.manifests, "enc.yaml")
	writeFile(t, inside, []byte(encConfig), 0o600)
	manifest := "kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n" +
		"    args: [--v=2, --encryption-provider-config, " + inside + "]\n"
	writeFile(t, apiserver, []byte(manifest), 0o600)
	k := collect(t, Options{Paths: []string{tr.manifests}, EncryptionConfig: Auto})
	if k.EncryptionConfig != inside || len(k.Files) != 3 {
		t.Fatalf("EncryptionConfig %q, %d files", k.EncryptionConfig, len(k.Files))
	}
	// An explicit path.
	k = collect(t, Options{Paths: []string{tr.pki}, EncryptionConfig: tr.enc})
	if k.EncryptionConfig != tr.enc || len(k.Files) != 9 || !k.has(tr.enc) {
		t.Fatalf("EncryptionConfig %q, %d files", k.EncryptionConfig, len(k.Files))
	}
	// No manifest names one: the cluster does not encrypt at rest.
	writeFile(t, apiserver, []byte("kind: Pod\nspec: {containers: [{command: [kube-apiserver, --v=2]}]}\n"), 0o600)
	if k = collect(t, Options{Paths: []string{tr.manifests}, EncryptionConfig: Auto}); k.EncryptionConfig != "" {
		t.Fatalf("EncryptionConfig %q without the flag", k.EncryptionConfig)
	}
	// A manifest names a file that is not on this node.
	missing := filepath.Join(tr.root, "gone.yaml")
	writeFile(t, apiserver, []byte(apiserverManifest(missing)), 0o600)
	_, err := Collect(Options{Paths: []string{apiserver}, EncryptionConfig: Auto})
	if err == nil || !strings.Contains(err.Error(), missing+" does not exist (named by --encryption-provider-config in "+apiserver) {
		t.Fatalf("Collect = %v", err)
	}
	// A broken manifest is an error: auto cannot tell.
	writeFile(t, apiserver, []byte("kind: Pod\nspec: [\n"), 0o600)
	if _, err := Collect(Options{Paths: []string{apiserver}, EncryptionConfig: Auto}); err == nil ||
		!strings.Contains(err.Error(), "kit.encryption_config: auto: "+apiserver) {
		t.Fatalf("Collect = %v", err)
	}
}

func TestCollectIgnoresOtherYAML(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "list.yaml"), []byte("- a\n- b\n"), 0o600)
	writeFile(t, filepath.Join(dir, "deploy.yaml"), []byte("kind: Deployment\nspec: [1]\n"), 0o600)
	writeFile(t, filepath.Join(dir, "pem.crt"), []byte("-----BEGIN CERTIFICATE-----\n:\n"), 0o600)
	if k := collect(t, Options{Paths: []string{dir}, EncryptionConfig: Auto}); k.EncryptionConfig != "" || len(k.Files) != 3 {
		t.Fatalf("EncryptionConfig %q, %d files", k.EncryptionConfig, len(k.Files))
	}
}
