package kubecrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"
)

// These helpers write values as kube-apiserver v1.37 does: the TransformToStorage methods of
// k8s.io/apiserver@v0.37.2/pkg/storage/value/encrypt/aes/aes.go (cbc, gcm) and
// .../encrypt/secretbox/secretbox.go, behind the prefix built in
// pkg/server/options/encryptionconfig/config.go ("k8s:enc:<kind>:v1:" + "<key name>:").

// Stored objects as the API server writes them: protobuf (the default for Secrets) and JSON.
var (
	protoSecret = []byte("k8s\x00\n\x0c\n\x02v1\x12\x06Secret\x12\x20\n\x0c\n\x02db\x12\x02ns\x1a\x10\n\x08password\x12\x04hunter2")
	jsonSecret  = []byte(`{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","namespace":"ns"},"data":{"password":"aHVudGVyMg=="}}`)
)

// Key secrets used by the tests, raw and as the configuration writes them.
var (
	secretA  = bytes.Repeat([]byte{0xa1}, 32)
	secretB  = bytes.Repeat([]byte{0xb2}, 32)
	secret16 = bytes.Repeat([]byte{0x16}, 16)
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func random(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func prefixed(kind, name string, body []byte) []byte {
	return append([]byte("k8s:enc:"+kind+":v1:"+name+":"), body...)
}

// encryptCBC: random 16-byte IV, then AES-CBC of the data with PKCS#7 padding (cbc.TransformToStorage).
func encryptCBC(t testing.TB, name string, secret, data []byte) []byte {
	block, err := aes.NewCipher(secret)
	if err != nil {
		t.Fatal(err)
	}
	pad := aes.BlockSize - len(data)%aes.BlockSize
	out := append(random(t, aes.BlockSize), data...)
	out = append(out, bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], out[aes.BlockSize:])
	return prefixed("aescbc", name, out)
}

// encryptGCM: random 12-byte nonce, then Seal with the etcd key as additional data
// (gcm.TransformToStorage; the data context is etcd3/store.go's authenticatedDataString(key)).
func encryptGCM(t testing.TB, name string, secret, data []byte, etcdKey string) []byte {
	block, err := aes.NewCipher(secret)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := random(t, aead.NonceSize())
	return prefixed("aesgcm", name, aead.Seal(nonce, nonce, data, []byte(etcdKey)))
}

// encryptSecretbox: random 24-byte nonce, then secretbox.Seal (secretboxTransformer.TransformToStorage).
func encryptSecretbox(t testing.TB, name string, secret, data []byte) []byte {
	var nonce [24]byte
	var k [32]byte
	copy(nonce[:], random(t, 24))
	copy(k[:], secret)
	return prefixed("secretbox", name, secretbox.Seal(nonce[:], data, &nonce, &k))
}

func mustParse(t testing.TB, yaml string) *Config {
	t.Helper()
	c, err := ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}
