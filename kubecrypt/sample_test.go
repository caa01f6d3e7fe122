package kubecrypt

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestCheckAll(t *testing.T) {
	c := mustParse(t, checkConfig)
	kvs := map[string][]byte{
		"/registry/secrets/ns/a":    encryptCBC(t, "key1", secretA, protoSecret),
		"/registry/secrets/ns/b":    encryptGCM(t, "gcm1", secretA, protoSecret, "/registry/secrets/ns/b"),
		"/registry/secrets/ns/kms":  []byte("k8s:enc:kms:v2:vault:xx"),
		"/registry/configmaps/ns/c": jsonSecret,
	}
	for i := range 7 {
		kvs[fmt.Sprintf("/registry/secrets/ns/lost%d", i)] = encryptCBC(t, "old", secretA, protoSecret)
	}
	s := c.CheckAll(maps.All(kvs))
	if s.Checked != 11 || s.Decrypted != 2 || s.Plain != 1 || s.KMS != 1 || s.Failed != 7 {
		t.Fatalf("Sample = %+v", s)
	}
	if len(s.Errors) != MaxSampleErrors {
		t.Fatalf("%d errors kept, want %d", len(s.Errors), MaxSampleErrors)
	}
	var mk *MissingKeyError
	if !errors.As(s.Errors[0], &mk) || !strings.HasPrefix(s.Errors[0].Error(), "/registry/secrets/ns/lost") {
		t.Fatalf("first error = %v", s.Errors[0])
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "7 of 11 values") {
		t.Fatalf("Err() = %v", err)
	}
	if err := c.CheckAll(maps.All(map[string][]byte{secretKey: protoSecret[:0]})).Err(); err == nil {
		t.Fatal("empty value passed")
	}
	if err := (Sample{Checked: 3, Plain: 3}).Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
}
