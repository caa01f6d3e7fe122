package etcdtest

import (
	"bytes"
	"regexp"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"
)

var keyPattern = regexp.MustCompile(`^/registry/[a-z]+/[a-z-]+/[a-z]+-[a-z]+-[0-9a-f]+$`)

func TestGenerate(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		valueSize int
	}{
		{name: "small values", n: 500, valueSize: 256},
		{name: "1KiB values", n: 500, valueSize: 1024},
		{name: "8KiB values", n: 100, valueSize: 8192},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kvs := Generate(tc.n, tc.valueSize, 42)
			if len(kvs) != tc.n {
				t.Fatalf("len = %d, want %d", len(kvs), tc.n)
			}
			if again := Generate(tc.n, tc.valueSize, 42); !equalKVs(kvs, again) {
				t.Fatalf("Generate with the same seed differs")
			}
			if other := Generate(tc.n, tc.valueSize, 43); equalKVs(kvs, other) {
				t.Fatalf("Generate with another seed gives the same data")
			}
			seen := map[string]bool{}
			var plain []byte
			for _, kv := range kvs {
				if !keyPattern.MatchString(kv.Key) {
					t.Fatalf("key %q does not match %s", kv.Key, keyPattern)
				}
				if seen[kv.Key] {
					t.Fatalf("duplicate key %q", kv.Key)
				}
				seen[kv.Key] = true
				if n := len(kv.Value); n < tc.valueSize || n > tc.valueSize+128 {
					t.Fatalf("value of %s is %d bytes, want about %d", kv.Key, n, tc.valueSize)
				}
				plain = append(plain, kv.Value...)
			}
			ratio := float64(len(plain)) / float64(zstdSize(t, plain))
			if ratio < 2 || ratio > 5 {
				t.Fatalf("zstd ratio = %.2f, want within [2, 5]", ratio)
			}
		})
	}
}

func equalKVs(a, b []KV) bool {
	return slices.EqualFunc(a, b, func(x, y KV) bool { return x.Key == y.Key && bytes.Equal(x.Value, y.Value) })
}

func zstdSize(t *testing.T, b []byte) int {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatalf("new zstd writer: %v", err)
	}
	defer enc.Close()
	return len(enc.EncodeAll(b, nil))
}
