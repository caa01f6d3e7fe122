package imagebuild

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// writeArchive writes img as an OCI image layout in a tar (oci-layout, index.json, blobs/),
// with a docker-archive manifest.json beside it that points at the same blobs, as docker save
// writes since Docker 25. OCI tools read the layout; docker load and go-containerregistry's
// tarball package read manifest.json.
func writeArchive(w io.Writer, tag name.Tag, img v1.Image, mtime time.Time) error {
	a := archive{tw: tar.NewWriter(w), mtime: mtime}
	manifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	mDigest, err := img.Digest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	cDigest, err := img.ConfigName()
	if err != nil {
		return err
	}
	a.dir("blobs/")
	a.dir("blobs/sha256/")
	a.file(blobPath(mDigest), manifest)
	a.file(blobPath(cDigest), config)
	layerPaths, err := a.layers(img)
	if err != nil {
		return err
	}
	a.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	a.json("index.json", v1.IndexManifest{
		SchemaVersion: 2, MediaType: types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType: types.OCIManifestSchema1, Digest: mDigest, Size: int64(len(manifest)),
			Annotations: map[string]string{"io.containerd.image.name": tag.Name(), "org.opencontainers.image.ref.name": tag.TagStr()},
		}},
	})
	a.json("manifest.json", []map[string]any{{
		"Config": blobPath(cDigest), "RepoTags": []string{tag.Name()}, "Layers": layerPaths,
	}})
	if a.err != nil {
		return a.err
	}
	return a.tw.Close()
}

type archive struct {
	tw    *tar.Writer
	mtime time.Time
	err   error // the first error; later writes do nothing
}

func blobPath(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

func (a *archive) layers(img v1.Image) ([]string, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, err
		}
		a.stream(blobPath(d), size, rc)
		if err := rc.Close(); err != nil && a.err == nil {
			a.err = err
		}
		paths = append(paths, blobPath(d))
	}
	return paths, a.err
}

func (a *archive) header(name string, typ byte, mode, size int64) bool {
	if a.err == nil {
		a.err = a.tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Mode: mode, Size: size, ModTime: a.mtime, Format: tar.FormatPAX})
	}
	return a.err == nil
}

func (a *archive) dir(name string) { a.header(name, tar.TypeDir, 0o755, 0) }

func (a *archive) file(name string, data []byte) {
	if a.header(name, tar.TypeReg, 0o644, int64(len(data))) {
		_, a.err = a.tw.Write(data)
	}
}

func (a *archive) stream(name string, size int64, r io.Reader) {
	if !a.header(name, tar.TypeReg, 0o644, size) {
		return
	}
	if n, err := io.Copy(a.tw, r); err != nil {
		a.err = err
	} else if n != size {
		a.err = fmt.Errorf("%s: %d bytes, want %d", name, n, size)
	}
}

func (a *archive) json(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil && a.err == nil {
		a.err = err
	}
	a.file(name, data)
}
