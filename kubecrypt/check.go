package kubecrypt

import (
	"bytes"
	"fmt"
)

// encPrefix starts every encrypted value; the identity provider refuses values that have it
// (encrypt/identity/identity.go).
var encPrefix = []byte("k8s:enc:")

// Check decrypts value, the stored value of etcd key key (e.g. /registry/secrets/ns/name), with
// the keys of the configuration and checks that the result looks like a stored object. It
// returns nil when the value decrypts or is stored in the clear where the configuration allows
// it; otherwise a *MissingKeyError, a *DecryptError, a *PlaintextError, or an error wrapping
// ErrKMS.
//
// Like the API server, which tries every provider whose prefix the value has, an encrypted value
// is tried with every key of its provider kind and name in the whole configuration.
func (c *Config) Check(key string, value []byte) error {
	rest, ok := bytes.CutPrefix(value, encPrefix)
	if !ok {
		return c.checkPlain(key, value)
	}
	kind, version, rest, ok := cutScheme(rest)
	if !ok {
		return &DecryptError{Provider: "k8s:enc", Err: errBadPrefix}
	}
	switch {
	case kind == KMS && (version == "v1" || version == "v2"):
		return c.checkKMS(version, rest)
	case version == "v1" && (kind == AESCBC || kind == AESGCM || kind == Secretbox):
		return c.checkKeys(kind, key, rest)
	}
	return missingKey(kind+":"+version, rest)
}

// cutScheme splits "aescbc:v1:rest" into its provider kind, version and the rest.
func cutScheme(b []byte) (kind, version string, rest []byte, ok bool) {
	k, rest, ok1 := bytes.Cut(b, []byte(":"))
	v, rest, ok2 := bytes.Cut(rest, []byte(":"))
	return string(k), string(v), rest, ok1 && ok2
}

// checkKeys tries every key of kind whose name prefixes rest. Names may hold ':', so they are
// matched as prefixes, as the API server does, rather than cut at the first ':'.
func (c *Config) checkKeys(kind, etcdKey string, rest []byte) error {
	var first *DecryptError
	for _, p := range c.providersOf(kind) {
		for _, k := range p.keys {
			data, ok := bytes.CutPrefix(rest, []byte(k.name+":"))
			if !ok {
				continue
			}
			plain, err := decrypt(kind, k.secret, data, etcdKey)
			if err == nil && !looksLikeObject(plain) {
				err = errNotObject
			}
			if err == nil {
				return nil
			}
			if first == nil {
				first = &DecryptError{Provider: kind, KeyName: k.name, Err: err}
			}
		}
	}
	if first != nil {
		return first
	}
	return missingKey(kind, rest)
}

// checkKMS can only tell whether the configuration has the KMS provider the value names.
func (c *Config) checkKMS(version string, rest []byte) error {
	for _, p := range c.providersOf(KMS) {
		if p.kmsVersion == version && bytes.HasPrefix(rest, []byte(p.kmsName+":")) {
			return fmt.Errorf("kms %s provider %q: %w", version, p.kmsName, ErrKMS)
		}
	}
	return missingKey(KMS, rest)
}

// missingKey names the key as the text up to the next ':', shortened for messages.
func missingKey(provider string, rest []byte) error {
	name, _, ok := bytes.Cut(rest, []byte(":"))
	if !ok || len(name) == 0 {
		return &DecryptError{Provider: provider, Err: errNoKeyName}
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return &MissingKeyError{Provider: provider, KeyName: string(name)}
}

// checkPlain accepts a value in the clear where the resource is not covered by the
// configuration (the API server then reads it as is) or its entry has an identity provider.
func (c *Config) checkPlain(key string, value []byte) error {
	if !looksLikeObject(value) {
		return &DecryptError{Provider: Identity, Err: errPlainNotObject}
	}
	covering, gr := c.covering(resourceOfKey(key))
	for _, i := range covering {
		if c.entries[i].hasIdentity() {
			return nil
		}
	}
	if len(covering) == 0 {
		return nil
	}
	return &PlaintextError{Resource: gr.String(), Entry: covering[0]}
}

// covering returns the entries whose rule the API server would use for r: all those at the most
// specific match level (their providers are joined), and the first such rule.
func (c *Config) covering(r storedResource) (entries []int, first groupResource) {
	best := matchNone
	for i, e := range c.entries {
		for _, gr := range e.resources {
			level := r.match(gr)
			switch {
			case level < best:
				best, entries, first = level, []int{i}, gr
			case level == best && level != matchNone && entries[len(entries)-1] != i:
				entries = append(entries, i)
			}
		}
	}
	return entries, first
}

func (c *Config) providersOf(kind string) []provider {
	var out []provider
	for _, e := range c.entries {
		for _, p := range e.providers {
			if p.kind == kind {
				out = append(out, p)
			}
		}
	}
	return out
}

func (e entry) hasIdentity() bool {
	for _, p := range e.providers {
		if p.kind == Identity {
			return true
		}
	}
	return false
}
