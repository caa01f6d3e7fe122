package kubecrypt

import (
	"slices"
	"strings"
	"testing"
)

const header = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n"

func TestParseConfigErrors(t *testing.T) {
	key32 := b64(secretA)
	tests := []struct{ name, config, want string }{
		{"empty file", "", "empty"},
		{"unknown kind", "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfig\nresources: []\n", "apiVersion/kind"},
		{"unknown apiVersion", "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: EncryptionConfiguration\n", "apiVersion/kind"},
		{"no resources", header, "resources: at least one entry"},
		{"empty resource list", header + "resources:\n- providers: [{identity: {}}]\n", "resources[0].resources: at least one"},
		{"bare star", header + "resources:\n- resources: ['*']\n  providers: [{identity: {}}]\n", "resources[0].resources[0]"},
		{"empty providers", header + "resources:\n- resources: [secrets]\n  providers: []\n", "resources[0].providers: at least one provider"},
		{"empty provider element", header + "resources:\n- resources: [secrets]\n  providers: [{identity: {}}, {}]\n", "resources[0].providers[1]: none of"},
		{"two providers in one element", header + "resources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n    aescbc: {keys: [{name: k, secret: " + key32 + "}]}\n", "resources[0].providers[0]: more than one provider (aescbc, identity)"},
		{"no keys", header + "resources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: []}}]\n", "resources[0].providers[0].aesgcm.keys: at least one key"},
		{"bad base64", header + "resources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n  - aescbc: {keys: [{name: key1, secret: 'not base64!'}]}\n", "resources[0].providers[1].aescbc.keys[0].secret: not base64"},
		{"wrong AES length", header + "resources:\n- resources: [secrets]\n  providers:\n  - aescbc: {keys: [{name: k1, secret: " + key32 + "}, {name: k2, secret: " + b64([]byte("seven!!")) + "}]}\n", "resources[0].providers[0].aescbc.keys[1].secret: wrong length: 7 bytes, want one of [16 24 32]"},
		{"wrong secretbox length", header + "resources:\n- resources: [secrets]\n  providers: [{secretbox: {keys: [{name: k, secret: " + b64(secret16) + "}]}}]\n", "resources[0].providers[0].secretbox.keys[0].secret: wrong length: 16 bytes, want one of [32]"},
		{"missing secret", header + "resources:\n- resources: [secrets]\n  providers: [{aescbc: {keys: [{name: k}]}}]\n", "resources[0].providers[0].aescbc.keys[0].secret: required"},
		{"missing key name", header + "resources:\n- resources: [secrets]\n  providers: [{aescbc: {keys: [{secret: " + key32 + "}]}}]\n", "resources[0].providers[0].aescbc.keys[0].name: required"},
		{"kms bad apiVersion", header + "resources:\n- resources: [secrets]\n  providers: [{kms: {apiVersion: v3, name: k}}]\n", "resources[0].providers[0].kms.apiVersion"},
		{"kms no name", header + "resources:\n- resources: [secrets]\n  providers: [{kms: {apiVersion: v2}}]\n", "resources[0].providers[0].kms.name: required"},
		{"unknown field", header + "resources:\n- resources: [secrets]\n  providers: [{aesCBC: {keys: []}}]\n", "aesCBC"},
		{"second entry", header + "resources:\n- resources: [secrets]\n  providers: [{identity: {}}]\n- resources: [configmaps]\n  providers: [{aesgcm: {keys: [{name: k, secret: '%%%'}]}}]\n", "resources[1].providers[0].aesgcm.keys[0].secret: not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.config))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseConfig error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestParseConfigNeverShowsSecret(t *testing.T) {
	_, err := ParseConfig([]byte(header + "resources:\n- resources: [secrets]\n  providers: [{aescbc: {keys: [{name: k, secret: 'c2VjcmV0IGlzIHNlY3VyZQ'}]}}]\n"))
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Fatalf("ParseConfig error = %v", err)
	}
}

func TestParseConfigAccepts(t *testing.T) {
	tests := []struct{ name, config string }{
		{"legacy kind", "apiVersion: v1\nkind: EncryptionConfig\nresources:\n- resources: [secrets]\n  providers: [{identity: {}}]\n"},
		{"json", `{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[{"resources":["secrets"],"providers":[{"aesgcm":{"keys":[{"name":"k","secret":"` + b64(secret16) + `"}]}},{"identity":{}}]}]}`},
		{"kms v1 default and all fields", header + "resources:\n- resources: ['*.*']\n  providers:\n  - kms: {name: a:b, endpoint: 'unix:///k.sock', cachesize: 100, timeout: 3s}\n  - identity: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustParse(t, tt.config) })
	}
}

func TestProviders(t *testing.T) {
	got := mustParse(t, checkConfig).Providers()
	want := []string{"aescbc:key1", "aescbc:a:b", "aesgcm:gcm1", "aesgcm:gcm16", "secretbox:box1", "kms:v2:vault", "identity"}
	if !slices.Equal(got, want) {
		t.Fatalf("Providers() = %q, want %q", got, want)
	}
}
