package kit

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// encryptionFlag is the kube-apiserver flag that names the EncryptionConfiguration.
const encryptionFlag = "--encryption-provider-config"

// encryptionConfig adds the EncryptionConfiguration that opt names (see Options.EncryptionConfig).
func (c *collector) encryptionConfig(opt string) error {
	const field = "kit.encryption_config"
	p := filepath.Clean(opt)
	switch {
	case opt == "":
		return nil
	case opt == Auto:
		found, manifest, err := findEncryptionConfig(c.kit.Files)
		if err != nil || found == "" {
			return err
		}
		if err := c.single(found, field); err != nil {
			return fmt.Errorf("%w (named by %s in %s; set kit.encryption_config to its path on this node)",
				err, encryptionFlag, manifest)
		}
		p = found
	case !filepath.IsAbs(opt):
		return fmt.Errorf("%s: %q: want auto, \"\" or an absolute path", field, opt)
	default:
		if err := c.single(p, field); err != nil {
			return err
		}
	}
	c.kit.EncryptionConfig = p
	return nil
}

// single adds one regular file, unless a kit path already holds it.
func (c *collector) single(p, field string) error {
	if c.seen[p] {
		return nil
	}
	fi, err := lstat(p, field)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %s is not a regular file", field, p)
	}
	if err := c.file(p, field); err != nil {
		return err
	}
	c.kit.sort()
	return nil
}

// pod is what a static pod manifest says about its containers' command lines.
type pod struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Containers []struct {
			Command []string `yaml:"command"`
			Args    []string `yaml:"args"`
		} `yaml:"containers"`
	} `yaml:"spec"`
}

// findEncryptionConfig returns the path given to kube-apiserver's --encryption-provider-config by a
// Pod manifest among files, and that manifest; "" when none names one: the cluster does not encrypt
// at rest. Two manifests naming different files are an error: restoring with the wrong one fails late.
func findEncryptionConfig(files []File) (path, manifest string, err error) {
	for _, f := range files {
		if !isManifest(f.Path) {
			continue
		}
		p, err := parsePod(f.data)
		if err != nil {
			return "", "", fmt.Errorf("kit.encryption_config: auto: %s: %w", f.Path, err)
		}
		for _, ctr := range p.Spec.Containers {
			v, ok := flagValue(slices.Concat(ctr.Command, ctr.Args))
			switch {
			case !ok:
				continue
			case !filepath.IsAbs(v):
				return "", "", fmt.Errorf("kit.encryption_config: auto: %s: %s=%s is not an absolute path",
					f.Path, encryptionFlag, v)
			case path != "" && filepath.Clean(v) != path:
				return "", "", fmt.Errorf("kit.encryption_config: auto: %s names %s and %s names %s: set one",
					manifest, path, f.Path, v)
			}
			path, manifest = filepath.Clean(v), f.Path
		}
	}
	return path, manifest, nil
}

// parsePod parses a Pod manifest; other YAML gives an empty pod. YAML that does not parse is an error:
// it could be the kube-apiserver's manifest.
func parsePod(data []byte) (*pod, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var head struct {
		Kind string `yaml:"kind"`
	}
	p := &pod{}
	if doc.Decode(&head) != nil || head.Kind != "Pod" {
		return p, nil // not a Pod
	}
	if err := doc.Decode(p); err != nil {
		return nil, err
	}
	return p, nil
}

func isManifest(p string) bool {
	switch filepath.Ext(p) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// flagValue finds the flag as kube-apiserver parses it: --flag=value or --flag value; the last wins.
func flagValue(args []string) (v string, ok bool) {
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, encryptionFlag+"="):
			v = strings.TrimPrefix(a, encryptionFlag+"=")
		case a == encryptionFlag && i+1 < len(args):
			v = args[i+1]
		default:
			continue
		}
		ok = v != ""
	}
	return v, ok
}
