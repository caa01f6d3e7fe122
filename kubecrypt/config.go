package kubecrypt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Provider kinds, as named in the configuration file and in the stored prefix.
const (
	AESCBC    = "aescbc"
	AESGCM    = "aesgcm"
	Secretbox = "secretbox"
	Identity  = "identity"
	KMS       = "kms"
)

// Config is a parsed EncryptionConfiguration.
type Config struct {
	entries []entry
}

// entry is one element of resources[]: the resources it covers and their providers in order.
type entry struct {
	resources []groupResource
	providers []provider
}

// provider is one element of providers[]. kmsName and kmsVersion are set for KMS only.
type provider struct {
	kind       string
	keys       []key
	kmsName    string
	kmsVersion string
}

type key struct {
	name   string
	secret []byte
}

// rawConfig mirrors k8s.io/apiserver/pkg/apis/apiserver/v1/types_encryption.go. Unknown fields
// are refused, as kube-apiserver decodes this file strictly.
type rawConfig struct {
	APIVersion string        `yaml:"apiVersion"`
	Kind       string        `yaml:"kind"`
	Resources  []rawResource `yaml:"resources"`
}

type rawResource struct {
	Resources []string      `yaml:"resources"`
	Providers []rawProvider `yaml:"providers"`
}

type rawProvider struct {
	AESGCM    *rawKeys  `yaml:"aesgcm"`
	AESCBC    *rawKeys  `yaml:"aescbc"`
	Secretbox *rawKeys  `yaml:"secretbox"`
	Identity  *struct{} `yaml:"identity"`
	KMS       *rawKMS   `yaml:"kms"`
}

type rawKeys struct {
	Keys []rawKey `yaml:"keys"`
}

type rawKey struct {
	Name   string `yaml:"name"`
	Secret string `yaml:"secret"`
}

type rawKMS struct {
	APIVersion string `yaml:"apiVersion"`
	Name       string `yaml:"name"`
	CacheSize  *int32 `yaml:"cachesize"`
	Endpoint   string `yaml:"endpoint"`
	Timeout    string `yaml:"timeout"`
}

// Key sizes accepted by kube-apiserver's validation (validation_encryption.go).
var (
	aesKeySizes       = []int{16, 24, 32}
	secretboxKeySizes = []int{32}
)

// ParseConfig parses and validates an EncryptionConfiguration (YAML or JSON). Every error names
// the field at fault, e.g. resources[0].providers[1].aescbc.keys[0].secret.
func ParseConfig(data []byte) (*Config, error) {
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("encryption configuration is empty")
		}
		return nil, fmt.Errorf("encryption configuration: %w", err)
	}
	if err := checkKind(raw.APIVersion, raw.Kind); err != nil {
		return nil, err
	}
	if len(raw.Resources) == 0 {
		return nil, errors.New("resources: at least one entry is required")
	}
	c := &Config{}
	var errs []error
	for i, r := range raw.Resources {
		e, err := parseEntry(fmt.Sprintf("resources[%d]", i), r)
		errs = append(errs, err)
		c.entries = append(c.entries, e)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// checkKind accepts the current kind and the legacy "v1, EncryptionConfig" that kube-apiserver
// still registers (pkg/apis/apiserver/v1/register.go).
func checkKind(apiVersion, kind string) error {
	switch {
	case apiVersion == "apiserver.config.k8s.io/v1" && kind == "EncryptionConfiguration":
	case apiVersion == "v1" && kind == "EncryptionConfig":
	default:
		return fmt.Errorf("apiVersion/kind: got %q/%q, want apiserver.config.k8s.io/v1 EncryptionConfiguration", apiVersion, kind)
	}
	return nil
}

func parseEntry(path string, r rawResource) (entry, error) {
	var e entry
	var errs []error
	if len(r.Resources) == 0 {
		errs = append(errs, fmt.Errorf("%s.resources: at least one resource is required", path))
	}
	for j, s := range r.Resources {
		if s == "" || s == "*" {
			errs = append(errs, fmt.Errorf("%s.resources[%d]: %q is not a resource (use '*.' or '*.*')", path, j, s))
		}
		e.resources = append(e.resources, parseGroupResource(s))
	}
	if len(r.Providers) == 0 {
		errs = append(errs, fmt.Errorf("%s.providers: at least one provider is required", path))
	}
	for j, rp := range r.Providers {
		p, err := parseProvider(fmt.Sprintf("%s.providers[%d]", path, j), rp)
		errs = append(errs, err)
		e.providers = append(e.providers, p)
	}
	return e, errors.Join(errs...)
}

func parseProvider(path string, rp rawProvider) (provider, error) {
	var kinds []string
	var p provider
	var err error
	if rp.AESGCM != nil {
		kinds = append(kinds, AESGCM)
		p, err = parseKeys(path+"."+AESGCM, AESGCM, rp.AESGCM, aesKeySizes)
	}
	if rp.AESCBC != nil {
		kinds = append(kinds, AESCBC)
		p, err = parseKeys(path+"."+AESCBC, AESCBC, rp.AESCBC, aesKeySizes)
	}
	if rp.Secretbox != nil {
		kinds = append(kinds, Secretbox)
		p, err = parseKeys(path+"."+Secretbox, Secretbox, rp.Secretbox, secretboxKeySizes)
	}
	if rp.Identity != nil {
		kinds = append(kinds, Identity)
		p = provider{kind: Identity}
	}
	if rp.KMS != nil {
		kinds = append(kinds, KMS)
		p, err = parseKMS(path+"."+KMS, rp.KMS)
	}
	switch len(kinds) {
	case 0:
		return p, fmt.Errorf("%s: none of aesgcm, aescbc, secretbox, identity, kms is set", path)
	case 1:
		return p, err
	default:
		return p, fmt.Errorf("%s: more than one provider (%s) in one element", path, strings.Join(kinds, ", "))
	}
}

func parseKeys(path, kind string, rk *rawKeys, sizes []int) (provider, error) {
	p := provider{kind: kind}
	if len(rk.Keys) == 0 {
		return p, fmt.Errorf("%s.keys: at least one key is required", path)
	}
	var errs []error
	for i, k := range rk.Keys {
		kp := fmt.Sprintf("%s.keys[%d]", path, i)
		if k.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: required", kp))
		}
		secret, err := parseSecret(kp+".secret", k.Secret, sizes)
		errs = append(errs, err)
		p.keys = append(p.keys, key{name: k.Name, secret: secret})
	}
	return p, errors.Join(errs...)
}

// parseSecret decodes a key's secret; the error never shows the secret.
func parseSecret(path, s string, sizes []int) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%s: required", path)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: not base64 (standard encoding)", path)
	}
	if !slices.Contains(sizes, len(b)) {
		return nil, fmt.Errorf("%s: wrong length: %d bytes, want one of %v", path, len(b), sizes)
	}
	return b, nil
}

func parseKMS(path string, rk *rawKMS) (provider, error) {
	p := provider{kind: KMS, kmsName: rk.Name, kmsVersion: rk.APIVersion}
	if p.kmsVersion == "" {
		p.kmsVersion = "v1" // the API server's default (pkg/apis/apiserver/v1/defaults.go)
	}
	switch {
	case p.kmsVersion != "v1" && p.kmsVersion != "v2":
		return p, fmt.Errorf("%s.apiVersion: %q, want v1 or v2", path, rk.APIVersion)
	case p.kmsName == "":
		return p, fmt.Errorf("%s.name: required", path)
	case p.kmsVersion == "v2" && strings.Contains(p.kmsName, ":"):
		return p, fmt.Errorf("%s.name: %q must not contain ':'", path, p.kmsName)
	}
	return p, nil
}

// Providers lists the providers of the configuration once each, in order, as "aescbc:key1",
// "identity" or "kms:v2:name", for messages.
func (c *Config) Providers() []string {
	var out []string
	for _, e := range c.entries {
		for _, p := range e.providers {
			for _, s := range p.names() {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func (p provider) names() []string {
	switch p.kind {
	case Identity:
		return []string{Identity}
	case KMS:
		return []string{KMS + ":" + p.kmsVersion + ":" + p.kmsName}
	}
	var out []string
	for _, k := range p.keys {
		out = append(out, p.kind+":"+k.name)
	}
	return out
}
