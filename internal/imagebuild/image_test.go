package imagebuild

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const testTag = "ghcr.io/etcd-backupd/etcd-backupd:v9.9.9-test"

var (
	helloOnce sync.Once
	helloBin  string
	helloErr  error
)

// staticHello builds, once, a small static Go program that prints its arguments.
func staticHello(t *testing.T) string {
	t.Helper()
	helloOnce.Do(func() {
		dir, err := os.MkdirTemp("", "imagebuild-hello-")
		if err != nil {
			helloErr = err
			return
		}
		src := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(\"hello\", os.Args[1:]) }\n"
		files := map[string]string{"go.mod": "module hello\n\ngo 1.22\n", "main.go": src}
		for n, s := range files {
			if helloErr = os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); helloErr != nil {
				return
			}
		}
		helloBin = filepath.Join(dir, "hello")
		cmd := exec.Command("go", "build", "-o", helloBin, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-buildvcs=false")
		if out, err := cmd.CombinedOutput(); err != nil {
			helloErr = &buildError{err, string(out)}
		}
	})
	if helloErr != nil {
		t.Fatalf("build a static test binary: %v", helloErr)
	}
	return helloBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if helloBin != "" {
		os.RemoveAll(filepath.Dir(helloBin))
	}
	os.Exit(code)
}

// writeImage writes an image of the test binary and loads it back from the tarball.
func writeImage(t *testing.T, created time.Time) (v1.Image, string, Options) {
	t.Helper()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Binary: staticHello(t), CABundle: bundle, Version: "v9.9.9-test", Created: created}
	out := filepath.Join(dir, "image.tar")
	if err := Write(out, testTag, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	tag, err := name.NewTag(testTag)
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatalf("load %s: %v", out, err)
	}
	return img, out, o
}

func TestImageConfig(t *testing.T) {
	img, _, _ := writeImage(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	checks := []struct {
		name      string
		got, want any
	}{
		{"entrypoint", strings.Join(c.Entrypoint, " "), BinaryPath},
		{"cmd", strings.Join(c.Cmd, " "), "run"},
		{"user", c.User, User},
		{"os/arch", cf.OS + "/" + cf.Architecture, "linux/" + runtime.GOARCH},
		{"created", cf.Created.UTC().Format(time.RFC3339), "2026-01-02T03:04:05Z"},
		{"version label", c.Labels["org.opencontainers.image.version"], "v9.9.9-test"},
		{"SSL_CERT_FILE", slices.Contains(c.Env, "SSL_CERT_FILE="+CABundlePath), true},
		{"metrics port", len(c.ExposedPorts) == 1 && c.ExposedPorts[MetricsPort] == struct{}{}, true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
}

type file struct {
	hdr  *tar.Header
	data []byte
}

// extract reads the image's flattened file system.
func extract(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("read image file system: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files["/"+strings.TrimSuffix(h.Name, "/")] = file{h, data}
	}
}
