package journal

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestEncodingsRoundTrip commits and reads back segments in every encoding: the data key, the
// manifest's object description and the revisions all match; encrypted data holds no plaintext.
func TestEncodingsRoundTrip(t *testing.T) {
	recipients, id := keys(t)
	t0 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		enc         Encoding
		suffix      string
		encryption  string
		compression string
	}{
		{"plain", Encoding{Compression: catalog.CompressionNone}, ".jnl", catalog.EncryptionNone, catalog.CompressionNone},
		{"zstd", Encoding{Compression: catalog.CompressionZstd}, ".jnl.zst", catalog.EncryptionNone, catalog.CompressionZstd},
		{"encrypted", Encoding{Compression: catalog.CompressionNone, Recipients: recipients}, ".jnl.pgp",
			catalog.EncryptionPGP, catalog.CompressionNone},
		{"zstd encrypted", zstdEncoding(recipients), ".jnl.zst.pgp", catalog.EncryptionPGP, catalog.CompressionZstd},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j, dir := dirJournal(t, "test")
			want := append(seqRevisions(2, 40, t0, time.Millisecond), seqRevisions(41, 90, t0.Add(time.Hour), time.Second)...)
			want[5].Events = append(want[5].Events, &mvccpb.Event{Type: mvccpb.DELETE,
				Kv: &mvccpb.KeyValue{Key: []byte("gone"), ModRevision: 7}})
			m1 := commitRevisions(t, j, c.enc, want[:39])
			m2 := commitRevisions(t, j, c.enc, want[39:])
			for _, m := range []*Manifest{m1, m2} {
				o := m.Object
				write, rest, _ := strings.Cut(strings.TrimPrefix(o.Key, "test/wal/"+m.Name+"."), ".")
				if !isWrite(write) || "."+rest != c.suffix || o.Encryption != c.encryption || o.Compression != c.compression {
					t.Fatalf("object %+v; want key ending %s, %s, %s", o, c.suffix, c.encryption, c.compression)
				}
				if (o.Encryption == catalog.EncryptionPGP) != (len(o.Recipients) == 1) {
					t.Fatalf("object %+v: recipients do not match the encryption", o)
				}
				data := readFile(t, filepath.Join(dir, o.Key))
				if leaks := bytes.Contains(data, []byte("value of revision 0000")); leaks != (c.name == "plain") {
					t.Fatalf("stored data holds the plain values: %v", leaks)
				}
			}
			if m1.FirstRevision != 2 || m1.LastRevision != 40 || m1.Revisions != 39 || m1.Events != 40 ||
				!m1.FirstTime.Equal(t0) || !m1.LastTime.Equal(want[38].Time) {
				t.Fatalf("manifest %+v", m1)
			}
			readWith := id
			if c.encryption == catalog.EncryptionNone {
				readWith = nil
			}
			got := readAll(t, j, readWith)
			if len(got) != len(want) {
				t.Fatalf("read %d revisions, want %d", len(got), len(want))
			}
			for i := range want {
				sameRevision(t, got[i], want[i])
			}
		})
	}
}
