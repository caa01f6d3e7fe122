package verify

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/tamper"
)

// TestStored: the check a node without the private key makes of the backup it wrote passes on the
// object as written and names the cause when a byte flipped, bytes are missing, or the object is gone.
func TestStored(t *testing.T) {
	f := newFixture(t, 50, 256, true)
	o := f.options()
	o.Identity = nil // this node holds only the public keys
	cases := []struct {
		name   string
		damage func(path string, size int64)
		want   string
	}{
		{"as written", func(string, int64) {}, ""},
		{"a flipped byte", func(p string, n int64) { tamper.Flip(t, p, n/2) }, "sha256"},
		{"truncated", func(p string, n int64) { os.Truncate(p, n-1) }, "bytes"},
		{"gone", func(p string, _ int64) { os.Remove(p) }, "the data object is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := f.backup()
			c.damage(f.storedPath(m), m.Object.Size)
			err := Stored(context.Background(), o, m)
			if c.want == "" && err != nil {
				t.Fatalf("Stored: %v", err)
			}
			if c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), m.ID)) {
				t.Fatalf("Stored: %v, want an error naming %s with %q", err, m.ID, c.want)
			}
		})
	}
}
