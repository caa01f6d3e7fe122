package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deleteKey, as a value in a case's set map, removes the key.
type deleteKey struct{}

// baseMap is a valid config that points at the fixture's files.
func baseMap(f *fixture) map[string]any {
	return map[string]any{
		"cluster_name": "prod-eu1",
		"etcd": map[string]any{
			"endpoints": []any{"https://127.0.0.1:2379"},
			"cacert":    f.ca, "cert": f.cert, "key": f.key,
		},
		"encryption":   map[string]any{"recipients": []any{f.pub}, "private_key": f.secret},
		"destinations": []any{map[string]any{"url": "file:///var/backups/etcd"}},
	}
}

// setPath sets a dotted path in m, making the mappings it needs.
func setPath(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if _, ok := v.(deleteKey); ok {
		delete(m, keys[len(keys)-1])
		return
	}
	m[keys[len(keys)-1]] = v
}

// parseWith parses the base config changed by set, as a file in the fixture dir.
func parseWith(t *testing.T, f *fixture, set map[string]any) (*Config, error) {
	t.Helper()
	m := baseMap(f)
	for k, v := range set {
		setPath(m, k, v)
	}
	data, err := yaml.Marshal(m)
	if err != nil {
		t.Fatalf("marshal test config: %v", err)
	}
	return Parse(data, filepath.Join(f.dir, "config.yaml"))
}

// fileExists reports whether path exists on this machine.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
