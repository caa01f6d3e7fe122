package imagebuild

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's layout and user. UID and GID are those of distroless's "nonroot" user, so the
// image and the Dockerfile's image run alike; the static pod manifest runs as them.
const (
	UID             = 65532
	GID             = 65532
	User            = "65532:65532"
	BinaryPath      = "/usr/local/bin/etcd-backupd"
	CABundlePath    = "/etc/ssl/certs/ca-certificates.crt"
	SpoolDir        = "/var/lib/etcd-backupd"
	MetricsPort     = "9479/tcp"
	DefaultCABundle = "/etc/ssl/certs/ca-certificates.crt"
)

// Options describe the image.
type Options struct {
	Binary   string    // the static etcd-backupd binary
	CABundle string    // PEM CA bundle; "" means DefaultCABundle of the build machine
	Version  string    // the org.opencontainers.image.version label
	Created  time.Time // the image's creation time and every file's mtime; zero is the Unix epoch
}

// Build assembles the image. The layer's tar is written to a temp file in tmpDir, which the
// caller removes after the image has been written.
func Build(o Options, tmpDir string) (v1.Image, error) {
	if o.CABundle == "" {
		o.CABundle = DefaultCABundle
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	o.Created = o.Created.UTC()
	arch, err := checkStatic(o.Binary)
	if err != nil {
		return nil, err
	}
	if err := checkFile(o.CABundle); err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	layerPath := filepath.Join(tmpDir, "layer.tar")
	if err := writeLayerFile(layerPath, entries(o.Binary, o.CABundle), o.Created); err != nil {
		return nil, fmt.Errorf("write layer: %w", err)
	}
	layer, err := tarball.LayerFromFile(layerPath, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("read layer: %w", err)
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: o.Created}, CreatedBy: "etcd-backupd imagebuild", Comment: "binary, CA bundle, nonroot user",
	}})
	if err != nil {
		return nil, fmt.Errorf("add layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", arch, v1.Time{Time: o.Created}
	cf.Config = runConfig(o.Version)
	return mutate.ConfigFile(img, cf)
}

func runConfig(version string) v1.Config {
	return v1.Config{
		Entrypoint:   []string{BinaryPath},
		Cmd:          []string{"run"},
		User:         User,
		WorkingDir:   "/",
		Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=" + CABundlePath},
		ExposedPorts: map[string]struct{}{MetricsPort: {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "etcd-backupd",
			"org.opencontainers.image.version": version,
			"org.opencontainers.image.source":  "https://github.com/etcd-backupd/etcd-backupd",
		},
	}
}

// Write builds the image and writes it at path as an OCI layout tarball that docker load also
// reads (see writeArchive), tagged tag.
func Write(path, tag string, o Options) error {
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("image tag %q: %w", tag, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".imagebuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	img, err := Build(o, tmp)
	if err != nil {
		return err
	}
	part := path + ".part"
	if err := writeArchiveFile(part, ref, img, o.Created); err != nil {
		os.Remove(part)
		return fmt.Errorf("write image %s: %w", path, err)
	}
	return os.Rename(part, path)
}

func writeArchiveFile(path string, tag name.Tag, img v1.Image, created time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeArchive(f, tag, img, created); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeLayerFile writes the layer's tar to path.
func writeLayerFile(path string, es []entry, mtime time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeLayer(f, es, mtime); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkStatic refuses a binary that needs a dynamic loader, which the empty base lacks, and
// returns its architecture in GOARCH terms.
func checkStatic(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("binary %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("binary %s is dynamically linked; build it with CGO_ENABLED=0", path)
		}
	}
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", nil
	}
	return "", fmt.Errorf("binary %s: unsupported machine %s", path, f.Machine)
}

func checkFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case st.Size() == 0:
		return errors.New(path + " is empty")
	}
	return nil
}
