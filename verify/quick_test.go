package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/tamper"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestQuickRecordsDrill verifies good backups, encrypted and plain, and reads the records back.
func TestQuickRecordsDrill(t *testing.T) {
	for _, encrypt := range []bool{true, false} {
		t.Run(map[bool]string{true: "openpgp+zstd", false: "plain"}[encrypt], func(t *testing.T) {
			f := newFixture(t, 300, 512, encrypt)
			m := f.backup()
			d, err := Quick(context.Background(), f.options(), m)
			if err != nil {
				t.Fatalf("Quick: %v", err)
			}
			if !d.OK || d.Mode != catalog.ModeQuick || d.Figures["snapshot_bytes"] != m.Snapshot.Size ||
				d.Figures["stored_bytes"] != m.Object.Size {
				t.Fatalf("drill %+v, manifest %+v", d, m)
			}
			last, err := f.cat.LastDrills(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := last[m.ID]; got == nil || !got.OK || got.Mode != catalog.ModeQuick || got.ToolVersion != "test" {
				t.Fatalf("recorded drill %+v", got)
			}
		})
	}
}

// TestQuickFailures checks each cause a quick verification names.
func TestQuickFailures(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	cases := []struct {
		name   string
		change func(t *testing.T, m *catalog.Manifest, o *Options)
		want   error
	}{
		{"flipped byte", func(t *testing.T, m *catalog.Manifest, o *Options) { tamper.Flip(t, f.storedPath(m), m.Object.Size/2) }, ErrMismatch},
		{"forged manifest", func(t *testing.T, m *catalog.Manifest, o *Options) {
			tamper.Flip(t, f.storedPath(m), m.Object.Size/2)
			m.Object.SHA256 = fileSHA(t, f.storedPath(m))
		}, crypto.ErrIntegrity},
		{"truncated", func(t *testing.T, m *catalog.Manifest, o *Options) {
			os.Truncate(f.storedPath(m), m.Object.Size-100)
		}, ErrTruncated},
		{"plain sha in manifest", func(t *testing.T, m *catalog.Manifest, o *Options) { m.Snapshot.SHA256 = "00" }, ErrMismatch},
		{"data deleted", func(t *testing.T, m *catalog.Manifest, o *Options) { os.Remove(f.storedPath(m)) }, storage.ErrNotFound},
		{"no private key", func(t *testing.T, m *catalog.Manifest, o *Options) { o.Identity = nil }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := f.backup()
			o := f.options()
			c.change(t, m, &o)
			d, err := Quick(context.Background(), o, m)
			if err == nil || d.OK || d.Error != err.Error() {
				t.Fatalf("Quick = %+v, %v; want a failure", d, err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("error %q is not %q", err, c.want)
			}
		})
	}
}

// TestFetchFile writes a verified snapshot, and leaves nothing behind when a check fails.
func TestFetchFile(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	m := f.backup()
	out := filepath.Join(t.TempDir(), "snap.db")
	if _, err := FetchFile(context.Background(), f.options(), m, out); err != nil {
		t.Fatalf("FetchFile: %v", err)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 || fileSHA(t, out) != m.Snapshot.SHA256 {
		t.Fatalf("fetched file: %v, %v", fi, err)
	}
	tamper.Flip(t, f.storedPath(m), m.Object.Size-1)
	bad := filepath.Join(t.TempDir(), "bad.db")
	if _, err := FetchFile(context.Background(), f.options(), m, bad); !errors.Is(err, ErrMismatch) {
		t.Fatalf("FetchFile of a tampered backup: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(bad)); len(ents) != 0 {
		t.Fatalf("a failed fetch left %v", ents[0].Name())
	}
}

// TestFetchStreams checks that Fetch hands over the exact plain snapshot.
func TestFetchStreams(t *testing.T) {
	f := newFixture(t, 300, 512, false)
	m := f.backup()
	var buf bytes.Buffer
	s, err := Fetch(context.Background(), f.options(), m, &buf)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(sum[:]) != m.Snapshot.SHA256 || s.PlainSize != int64(buf.Len()) {
		t.Fatalf("fetched %d bytes, sums %+v, manifest %+v", buf.Len(), s, m.Snapshot)
	}
}
func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
