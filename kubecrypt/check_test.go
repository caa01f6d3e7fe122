package kubecrypt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var secretC = bytes.Repeat([]byte{0xc3}, 32)

// checkConfig covers secrets with every local provider and a KMS v2 one, and configmaps with
// identity and a second key named key1 (as while rotating to a new secret under an old name).
var checkConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: ` + b64(secretA) + `
      - name: "a:b"
        secret: ` + b64(secretA) + `
  - aesgcm:
      keys:
      - {name: gcm1, secret: "` + b64(secretA) + `"}
      - {name: gcm16, secret: "` + b64(secret16) + `"}
  - secretbox:
      keys:
      - {name: box1, secret: "` + b64(secretA) + `"}
  - kms:
      apiVersion: v2
      name: vault
      endpoint: unix:///run/kms.sock
- resources: [configmaps]
  providers:
  - aescbc:
      keys:
      - {name: key1, secret: "` + b64(secretB) + `"}
  - identity: {}
`

const secretKey = "/registry/secrets/ns/db"

func TestCheck(t *testing.T) {
	c := mustParse(t, checkConfig)
	gcm := encryptGCM(t, "gcm1", secretA, protoSecret, secretKey)
	cbc := encryptCBC(t, "key1", secretA, protoSecret)
	box := encryptSecretbox(t, "box1", secretA, protoSecret)
	tests := []struct {
		name  string
		key   string
		value []byte
		want  any // nil, *MissingKeyError, *DecryptError, *PlaintextError or ErrKMS
		msg   string
	}{
		{"aescbc protobuf", secretKey, cbc, nil, ""},
		{"aescbc json", secretKey, encryptCBC(t, "key1", secretA, jsonSecret), nil, ""},
		{"aescbc key name with colon", secretKey, encryptCBC(t, "a:b", secretA, protoSecret), nil, ""},
		{"aescbc second key1 of another entry", secretKey, encryptCBC(t, "key1", secretB, protoSecret), nil, ""},
		{"aesgcm", secretKey, gcm, nil, ""},
		{"aesgcm 16-byte key", secretKey, encryptGCM(t, "gcm16", secret16, jsonSecret, secretKey), nil, ""},
		{"secretbox", secretKey, box, nil, ""},

		{"aescbc missing key", secretKey, encryptCBC(t, "key9", secretA, protoSecret), &MissingKeyError{}, `aescbc key "key9" is not in the EncryptionConfiguration`},
		{"aesgcm missing key", secretKey, encryptGCM(t, "gone", secretA, protoSecret, secretKey), &MissingKeyError{}, `aesgcm key "gone"`},
		{"secretbox missing key", secretKey, encryptSecretbox(t, "key1", secretA, protoSecret), &MissingKeyError{}, `secretbox key "key1"`},
		{"unknown provider", secretKey, prefixed("aesxts", "k", []byte("xxxx")), &MissingKeyError{}, `aesxts:v1 key "k"`},

		{"aescbc wrong secret", secretKey, encryptCBC(t, "key1", secretC, protoSecret), &DecryptError{}, `aescbc key "key1" does not decrypt`},
		{"aesgcm wrong secret", secretKey, encryptGCM(t, "gcm1", secretC, protoSecret, secretKey), &DecryptError{}, "authentication failed"},
		{"secretbox wrong secret", secretKey, encryptSecretbox(t, "box1", secretC, protoSecret), &DecryptError{}, "authentication failed"},
		{"aesgcm moved to another key", "/registry/secrets/ns/other", gcm, &DecryptError{}, "moved from another etcd key"},
		{"aescbc not an object", secretKey, encryptCBC(t, "key1", secretA, []byte("hello")), &DecryptError{}, "does not look like a stored object"},

		{"aescbc truncated to IV", secretKey, cbc[:len("k8s:enc:aescbc:v1:key1:")+16], &DecryptError{}, "whole number of AES blocks"},
		{"aescbc truncated mid-IV", secretKey, cbc[:len("k8s:enc:aescbc:v1:key1:")+5], &DecryptError{}, "shorter"},
		{"aescbc cut by one byte", secretKey, cbc[:len(cbc)-1], &DecryptError{}, "whole number of AES blocks"},
		{"aescbc tampered IV", secretKey, flip(cbc, len("k8s:enc:aescbc:v1:key1:")), &DecryptError{}, "stored object"},
		{"aescbc tampered last block", secretKey, flip(cbc, len(cbc)-17), &DecryptError{}, "key1"},
		{"aesgcm truncated", secretKey, gcm[:len(gcm)-1], &DecryptError{}, "authentication failed"},
		{"aesgcm truncated to nonce", secretKey, gcm[:len("k8s:enc:aesgcm:v1:gcm1:")+12], &DecryptError{}, "shorter"},
		{"aesgcm tampered", secretKey, flip(gcm, len(gcm)-20), &DecryptError{}, "authentication failed"},
		{"secretbox truncated", secretKey, box[:len(box)-1], &DecryptError{}, "authentication failed"},
		{"secretbox truncated to nonce", secretKey, box[:len("k8s:enc:secretbox:v1:box1:")+24], &DecryptError{}, "shorter"},
		{"secretbox tampered", secretKey, flip(box, len(box)-3), &DecryptError{}, "authentication failed"},
		{"no key name", secretKey, []byte("k8s:enc:aescbc:v1:"), &DecryptError{}, "names no key"},
		{"bare prefix", secretKey, []byte("k8s:enc:"), &DecryptError{}, "names no provider"},

		{"kms v2", secretKey, []byte("k8s:enc:kms:v2:vault:\x0a\x20opaque"), ErrKMS, `"vault"`},
		{"kms v2 unknown name", secretKey, []byte("k8s:enc:kms:v2:hsm:\x0a\x20opaque"), &MissingKeyError{}, `kms provider "hsm" is not in the EncryptionConfiguration`},
		{"kms v1 where config has v2", secretKey, []byte("k8s:enc:kms:v1:vault:\x00\x20opaque"), &MissingKeyError{}, `"vault"`},

		{"plain secret without identity", secretKey, protoSecret, &PlaintextError{}, "resources[0] (secrets) has no identity provider"},
		{"plain configmap with identity", "/registry/configmaps/ns/cm", jsonSecret, nil, ""},
		{"plain resource not configured", "/registry/pods/ns/p", protoSecret, nil, ""},
		{"plain garbage", "/registry/pods/ns/p", []byte("\x00\x01garbage"), &DecryptError{}, "in the clear does not look like a stored object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Check(tt.key, tt.value)
			checkErr(t, err, tt.want, tt.msg)
		})
	}
}

// checkErr tells whether err is of the kind want and says msg.
func checkErr(t *testing.T, err error, want any, msg string) {
	t.Helper()
	var ok bool
	switch want := want.(type) {
	case nil:
		ok = err == nil
	case *MissingKeyError:
		ok = errors.As(err, &want)
	case *DecryptError:
		ok = errors.As(err, &want)
	case *PlaintextError:
		ok = errors.As(err, &want)
	case error:
		ok = errors.Is(err, want)
	}
	if !ok {
		t.Fatalf("Check = %v (%T), want %T %v", err, err, want, want)
	}
	if err != nil && !strings.Contains(err.Error(), msg) {
		t.Errorf("Check = %q, want it to say %q", err, msg)
	}
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

func TestCheckMissingKeyFields(t *testing.T) {
	c := mustParse(t, checkConfig)
	var mk *MissingKeyError
	err := c.Check(secretKey, encryptGCM(t, "key2", secretA, protoSecret, secretKey))
	if !errors.As(err, &mk) || mk.Provider != "aesgcm" || mk.KeyName != "key2" {
		t.Fatalf("Check = %#v", err)
	}
	var de *DecryptError
	err = c.Check(secretKey, encryptSecretbox(t, "box1", secretB, protoSecret))
	if !errors.As(err, &de) || de.Provider != "secretbox" || de.KeyName != "box1" {
		t.Fatalf("Check = %#v", err)
	}
}

// TestPlaintextCoverage checks which configuration entry governs a value in the clear, most
// specific first, as kube-apiserver picks them.
func TestPlaintextCoverage(t *testing.T) {
	cbc := `  - aescbc:
      keys: [{name: k, secret: "` + b64(secretA) + `"}]
`
	head := "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
	entry := func(resources string, identity bool) string {
		s := "- resources: " + resources + "\n  providers:\n" + cbc
		if identity {
			s += "  - identity: {}\n"
		}
		return s
	}
	tests := []struct {
		name, config, key string
		want              any
		msg               string
	}{
		{"core wildcard", entry(`["*."]`, false), secretKey, &PlaintextError{}, "(*.)"},
		{"core form secrets.", entry(`["secrets."]`, false), secretKey, &PlaintextError{}, "(secrets)"},
		{"any wildcard", entry(`["*.*"]`, false), "/registry/example.com/widgets/ns/w", &PlaintextError{}, "(*.*)"},
		{"custom resource", entry(`[widgets.example.com]`, false), "/registry/example.com/widgets/ns/w", &PlaintextError{}, "(widgets.example.com)"},
		{"other custom group", entry(`["*.example.org"]`, false), "/registry/example.com/widgets/ns/w", nil, ""},
		{"group wildcard", entry(`["*.example.com"]`, false), "/registry/example.com/widgets/ns/w", &PlaintextError{}, "(*.example.com)"},
		{"named resource, group not in path", entry(`[deployments.apps]`, false), "/registry/deployments/ns/d", &PlaintextError{}, "(deployments.apps)"},
		{"exact before wildcard", entry(`[secrets]`, true) + entry(`["*.*"]`, false), secretKey, nil, ""},
		{"wildcard for the rest", entry(`[secrets]`, true) + entry(`["*.*"]`, false), "/registry/configmaps/ns/c", &PlaintextError{}, "resources[1] (*.*)"},
		{"events before core wildcard", entry(`[events]`, true) + entry(`["*."]`, false), "/registry/events/ns/e", nil, ""},
		{"same resource in two entries", entry(`[secrets]`, false) + entry(`[secrets]`, true), secretKey, nil, ""},
		{"identity listed first", "- resources: [secrets]\n  providers:\n  - identity: {}\n" + cbc, secretKey, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, head+tt.config)
			checkErr(t, c.Check(tt.key, protoSecret), tt.want, tt.msg)
		})
	}
}

// TestIdentityRefusesEncrypted: an identity provider does not make an encrypted value readable.
func TestIdentityRefusesEncrypted(t *testing.T) {
	c := mustParse(t, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n")
	var mk *MissingKeyError
	if err := c.Check(secretKey, encryptCBC(t, "key1", secretA, protoSecret)); !errors.As(err, &mk) {
		t.Fatalf("Check = %v, want MissingKeyError", err)
	}
}

func FuzzCheck(f *testing.F) {
	c := mustParse(f, checkConfig)
	f.Add(secretKey, encryptCBC(f, "key1", secretA, protoSecret))
	f.Add(secretKey, encryptGCM(f, "gcm1", secretA, protoSecret, secretKey))
	f.Add(secretKey, encryptSecretbox(f, "box1", secretA, protoSecret))
	f.Add(secretKey, []byte("k8s:enc:aescbc:v1:key1:0123456789abcdef"))
	f.Add(secretKey, []byte("k8s:enc:kms:v2:vault:"))
	f.Add("", []byte("k8s:enc:::"))
	f.Add("/", []byte{})
	f.Fuzz(func(t *testing.T, key string, value []byte) {
		err := c.Check(key, value)
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
