package imagebuild

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestOCILayout reads the tarball as an OCI image layout: same image, OCI media types, tagged.
func TestOCILayout(t *testing.T) {
	img, path, _ := writeImage(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	dir := t.TempDir()
	untar(t, path, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("read OCI layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("index: %d manifests (%v), want 1", len(im.Manifests), err)
	}
	d := im.Manifests[0]
	if d.MediaType != types.OCIManifestSchema1 || d.Annotations["io.containerd.image.name"] != testTag ||
		d.Annotations["org.opencontainers.image.ref.name"] != "v9.9.9-test" {
		t.Fatalf("index entry %+v, want an OCI manifest named %s", d, testTag)
	}
	oci, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatalf("image %s from the layout: %v", d.Digest, err)
	}
	m, err := oci.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Fatalf("manifest media types: config %s, layers %+v; want OCI ones", m.Config.MediaType, m.Layers)
	}
	want, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Digest != want {
		t.Fatalf("layout config %s, docker-archive config %s: want one image", m.Config.Digest, want)
	}
	ls, err := oci.Layers()
	if err != nil || len(ls) != 1 {
		t.Fatalf("layout layers: %d (%v)", len(ls), err)
	}
	rc, err := ls[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil || n != m.Layers[0].Size {
		t.Fatalf("layer blob: %d bytes (%v), want %d", n, err, m.Layers[0].Size)
	}
}

func untar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("untar %s: %v", path, err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
