package kubecrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"

	"golang.org/x/crypto/nacl/secretbox"
)

// The layouts below follow k8s.io/apiserver/pkg/storage/value/encrypt/aes/aes.go and
// .../encrypt/secretbox/secretbox.go (v0.37). data is the value with its prefix removed.

// decrypt opens data, written by the provider kind with secret under etcd key etcdKey.
func decrypt(kind string, secret, data []byte, etcdKey string) ([]byte, error) {
	switch kind {
	case AESCBC:
		return decryptCBC(secret, data)
	case AESGCM:
		return decryptGCM(secret, data, []byte(etcdKey))
	default:
		return decryptSecretbox(secret, data)
	}
}

// decryptCBC: a 16-byte random IV, then AES-CBC of the value with PKCS#7 padding. Nothing
// authenticates it: a wrong key shows only as bad padding or a plain value that is not an object.
func decryptCBC(secret, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	if len(data) < aes.BlockSize {
		return nil, errShort
	}
	iv, body := data[:aes.BlockSize], data[aes.BlockSize:]
	// An empty body would make the API server index out of range; here it is just corrupt.
	if len(body) == 0 || len(body)%aes.BlockSize != 0 {
		return nil, errBlockSize
	}
	out := make([]byte, len(body))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, body)
	return unpad(out)
}

// unpad removes PKCS#7 padding, checked as the API server does (any length up to the whole).
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > len(b) {
		return nil, errPadding
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errPadding
		}
	}
	return b[:len(b)-n], nil
}

// decryptGCM: a 12-byte nonce, then the GCM ciphertext and tag. The authenticated data is the
// full etcd key (etcd3/store.go authenticatedDataString), so a value copied to another key fails.
func decryptGCM(secret, data, etcdKey []byte) ([]byte, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(data) < n+aead.Overhead() {
		return nil, errShort
	}
	out, err := aead.Open(nil, data[:n], data[n:], etcdKey)
	if err != nil {
		return nil, errAuth
	}
	return out, nil
}

// decryptSecretbox: a 24-byte random nonce, then secretbox.Seal output. No authenticated data.
func decryptSecretbox(secret, data []byte) ([]byte, error) {
	const nonceSize = 24
	if len(secret) != 32 {
		return nil, errBoxAuth // ParseConfig refuses such keys
	}
	if len(data) < nonceSize+secretbox.Overhead {
		return nil, errShort
	}
	var nonce [nonceSize]byte
	var k [32]byte
	copy(nonce[:], data)
	copy(k[:], secret)
	out, ok := secretbox.Open(nil, data[nonceSize:], &nonce, &k)
	if !ok {
		return nil, errBoxAuth
	}
	return out, nil
}

// Encodings of a stored object: the protobuf envelope's magic
// (apimachinery/pkg/runtime/serializer/protobuf), JSON, and CBOR's self-describe tag
// (serializer/cbor, used with the CBORServingAndStorage feature).
var (
	protobufMagic = []byte("k8s\x00")
	cborMagic     = []byte{0xd9, 0xd9, 0xf7}
)

// looksLikeObject tells a stored object from the garbage that a wrong key yields.
func looksLikeObject(b []byte) bool {
	return bytes.HasPrefix(b, protobufMagic) || bytes.HasPrefix(b, []byte("{")) || bytes.HasPrefix(b, cborMagic)
}
