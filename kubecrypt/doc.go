// Package kubecrypt checks that Kubernetes objects stored in etcd can be decrypted with a kept
// EncryptionConfiguration (the file given to kube-apiserver as --encryption-provider-config).
//
// A backup of a cluster that encrypts Secrets at rest is useless without the keys it was written
// with, and nothing notices a lost or rotated key until a restore. A restore drill parses the
// configuration kept beside the backup with ParseConfig and feeds stored values to Check.
//
// The value formats are those of k8s.io/apiserver v0.37 (pkg/storage/value/encrypt and
// pkg/server/options/encryptionconfig), rewritten here so that the daemon does not depend on
// k8s.io/apiserver:
//
//	k8s:enc:aescbc:v1:<key>:<16-byte IV><AES-CBC ciphertext, PKCS#7 padded>
//	k8s:enc:aesgcm:v1:<key>:<12-byte nonce><AES-GCM ciphertext and tag>   (AAD: the etcd key)
//	k8s:enc:secretbox:v1:<key>:<24-byte nonce><secretbox.Seal output>
//	k8s:enc:kms:v1:<name>: and k8s:enc:kms:v2:<name>:   (need the KMS plugin: not checked)
//
// anything else being stored in the clear (identity provider). A decrypted value must look like a
// stored object (protobuf "k8s\x00", JSON "{" or self-described CBOR), which tells a wrong AES-CBC
// key from the right one since CBC does not authenticate.
package kubecrypt
