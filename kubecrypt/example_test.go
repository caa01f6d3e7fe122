package kubecrypt_test

import (
	"fmt"

	"github.com/etcd-backupd/etcd-backupd/kubecrypt"
)

func ExampleConfig_Check() {
	c, err := kubecrypt.ParseConfig([]byte(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
      - name: key2
        secret: dGhpcyBpcyBhIDMyLWJ5dGUgZXhhbXBsZSBzZWNyZXQ=
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Providers())
	fmt.Println(c.Check("/registry/secrets/ns/db", []byte("k8s:enc:aescbc:v1:key1:\x8f...")))
	fmt.Println(c.Check("/registry/secrets/ns/db", []byte("k8s\x00\n\x0c\n\x02v1\x12\x06Secret")))
	fmt.Println(c.Check("/registry/secrets/ns/db", []byte("k8s:enc:kms:v2:vault:\x0a...")))
	// Output:
	// [aescbc:key2]
	// aescbc key "key1" is not in the EncryptionConfiguration
	// value is stored in the clear, but resources[0] (secrets) has no identity provider
	// kms provider "vault" is not in the EncryptionConfiguration
}
