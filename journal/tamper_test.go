package journal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/internal/tamper"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// damaged is a copy of a recorded journal for one case to damage: its segments and manifests, in
// listing order.
type damaged struct {
	j    *Journal
	dir  string
	segs []Segment
	ms   []*Manifest
}

func (d *damaged) path(key string) string { return filepath.Join(d.dir, filepath.FromSlash(key)) }

// dataPath is the file of segment i's data.
func (d *damaged) dataPath(i int) string { return d.path(d.ms[i].Object.Key) }

// manifestPath is the file of the manifest of the segment called name.
func (d *damaged) manifestPath(name string) string { return d.path(d.j.Layout.ManifestKey(name)) }

// writeManifest writes m under the manifest key of name, replacing what is there.
func (d *damaged) writeManifest(t *testing.T, name string, m *Manifest) {
	t.Helper()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, d.manifestPath(name), data)
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// manifestCopy is a copy of segment i's manifest to edit.
func (d *damaged) manifestCopy(i int) *Manifest {
	m := *d.ms[i]
	return &m
}

// moveData moves segment i's data to the data key of name and returns the key.
func (d *damaged) moveData(t *testing.T, i int, name string) string {
	t.Helper()
	m := d.ms[i]
	key := d.j.Layout.DataKey(name, "", m.Object.Compression, m.Object.Encryption != catalog.EncryptionNone)
	if err := os.Rename(d.dataPath(i), d.path(key)); err != nil {
		t.Fatal(err)
	}
	return key
}

func openDamaged(t *testing.T, rec recording) *damaged {
	t.Helper()
	j, dir := copyJournal(t, rec.dir, rec.cluster)
	ctx := context.Background()
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Segments) < 3 {
		t.Fatalf("the recording has %d segments; the cases need 3", len(l.Segments))
	}
	d := &damaged{j: j, dir: dir, segs: l.Segments}
	for _, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		d.ms = append(d.ms, m)
	}
	return d
}

// TestTamperRecorded damages a journal recorded by a real Recorder (zstd, encrypted to a real gpg
// key) one way per case, then reads it as a restore would: every damage is an error naming the
// damaged segment.
func TestTamperRecorded(t *testing.T) {
	recipients, id := keys(t)
	rec := record(t, zstdEncoding(recipients), 200, "a value that compresses well", 2<<10)
	ctx := context.Background()
	if err := checkJournal(ctx, openDamaged(t, rec).j, id); err != nil {
		t.Fatalf("undamaged copy: %v", err)
	}
	other := gpgtest.NewKey(t, "journal-other", "future-default", "")
	otherID, err := crypto.LoadIdentity(other.SecretFile, "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		// damage damages d and returns the name of the segment the error must name.
		damage func(t *testing.T, d *damaged) string
		id     *crypto.Identity // nil: the right key
		noID   bool
		want   string
		is     error
	}{
		{name: "data byte flipped", want: "stored sha256 differs from the manifest",
			damage: func(t *testing.T, d *damaged) string {
				tamper.Flip(t, d.dataPath(1), d.ms[1].Object.Size/2)
				return d.ms[1].Name
			}},
		{name: "data last byte flipped", want: "stored sha256 differs",
			damage: func(t *testing.T, d *damaged) string {
				tamper.Flip(t, d.dataPath(2), d.ms[2].Object.Size-1)
				return d.ms[2].Name
			}},
		{name: "data truncated", want: "stored size",
			damage: func(t *testing.T, d *damaged) string {
				if err := os.Truncate(d.dataPath(1), d.ms[1].Object.Size-7); err != nil {
					t.Fatal(err)
				}
				return d.ms[1].Name
			}},
		{name: "data emptied", want: "stored size 0",
			damage: func(t *testing.T, d *damaged) string {
				if err := os.Truncate(d.dataPath(0), 0); err != nil {
					t.Fatal(err)
				}
				return d.ms[0].Name
			}},
		{name: "data appended to", want: "stored size",
			damage: func(t *testing.T, d *damaged) string {
				p := d.dataPath(1)
				writeFile(t, p, append(readFile(t, p), "more"...))
				return d.ms[1].Name
			}},
		{name: "data missing", is: storage.ErrNotFound,
			damage: func(t *testing.T, d *damaged) string {
				if err := os.Remove(d.dataPath(1)); err != nil {
					t.Fatal(err)
				}
				return d.ms[1].Name
			}},
		{name: "data swapped between two segments", want: "stored",
			damage: func(t *testing.T, d *damaged) string {
				a, b := readFile(t, d.dataPath(0)), readFile(t, d.dataPath(1))
				writeFile(t, d.dataPath(0), b)
				writeFile(t, d.dataPath(1), a)
				return d.ms[0].Name
			}},
		{name: "manifest moved to another segment's name", want: "its manifest describes",
			damage: func(t *testing.T, d *damaged) string {
				writeFile(t, d.manifestPath(d.ms[1].Name), readFile(t, d.manifestPath(d.ms[0].Name)))
				return d.ms[1].Name
			}},
		{name: "manifest of another cluster", want: `its manifest belongs to cluster "other"`,
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.ClusterName = "other"
				m.Object.Key = Layout{Cluster: "other"}.DataKey(m.Name, "", m.Object.Compression, true)
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "manifest names other data", want: "its manifest names data",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.Object.Key = d.ms[0].Object.Key
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "manifest claims no encryption", want: "",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.Object.Encryption = catalog.EncryptionNone
				m.Object.Key = d.j.Layout.DataKey(m.Name, "", m.Object.Compression, false)
				if err := os.Rename(d.dataPath(1), d.path(m.Object.Key)); err != nil {
					t.Fatal(err)
				}
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "manifest not JSON", want: "decode segment manifest",
			damage: func(t *testing.T, d *damaged) string {
				writeFile(t, d.manifestPath(d.ms[1].Name), []byte(`{"format": 1, "name": `))
				return d.ms[1].Name
			}},
		{name: "manifest of a future format", want: "unsupported format 2",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.Format = 2
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "manifest with no revision", want: "inconsistent manifest",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.Revisions = 0
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "manifest counts one revision more", want: "the manifest says",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.Revisions++
				m.Events++
				d.writeManifest(t, m.Name, m)
				return m.Name
			}},
		{name: "range moved on, consistently", want: "out of order or outside",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				m.FirstRevision++
				m.LastRevision++
				return d.rename(t, 1, m)
			}},
		{name: "range narrowed, consistently", want: "outside",
			damage: func(t *testing.T, d *damaged) string {
				m := d.manifestCopy(1)
				if m.LastRevision == m.FirstRevision {
					t.Skip("segment of one revision")
				}
				m.LastRevision--
				return d.rename(t, 1, m)
			}},
		{name: "segment copied under another name", want: "its manifest describes",
			damage: func(t *testing.T, d *damaged) string {
				m := d.ms[0]
				name := Name(m.FirstRevision+100000, m.LastRevision+100000)
				writeFile(t, d.manifestPath(name), readFile(t, d.manifestPath(m.Name)))
				key := d.j.Layout.DataKey(name, "", m.Object.Compression, true)
				writeFile(t, d.path(key), readFile(t, d.dataPath(0)))
				return name
			}},
		{name: "wrong private key", id: otherID, is: crypto.ErrWrongKey,
			damage: func(t *testing.T, d *damaged) string { return d.ms[0].Name }},
		{name: "no private key", noID: true, want: "no private key given",
			damage: func(t *testing.T, d *damaged) string { return d.ms[0].Name }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := openDamaged(t, rec)
			name := c.damage(t, d)
			readWith := id
			if c.id != nil {
				readWith = c.id
			}
			if c.noID {
				readWith = nil
			}
			err := checkJournal(ctx, d.j, readWith)
			if err == nil {
				t.Fatal("the damaged journal reads back without an error")
			}
			if !strings.Contains(err.Error(), "segment "+name) {
				t.Fatalf("error %q does not name segment %s", err, name)
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q lacks %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("error %q does not wrap %q", err, c.is)
			}
		})
	}
}

// rename moves segment i to the name m's range gives, with its data, and writes m there: a
// manifest edited consistently but for the events.
func (d *damaged) rename(t *testing.T, i int, m *Manifest) string {
	t.Helper()
	m.Name = Name(m.FirstRevision, m.LastRevision)
	m.Object.Key = d.moveData(t, i, m.Name)
	if err := os.Remove(d.manifestPath(d.ms[i].Name)); err != nil {
		t.Fatal(err)
	}
	d.writeManifest(t, m.Name, m)
	return m.Name
}
