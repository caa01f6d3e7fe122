package journal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTamperBuilt damages segments built directly, where a case needs control over the bytes:
// same-size data, plain bytes whose stored sha256 was fixed up, events that do not match their
// revision.
func TestTamperBuilt(t *testing.T) {
	t0 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	// sha256Hex is the hex sha256 of data, to fix up a manifest after an edit.
	sha256Hex := func(data []byte) string { s := sha256.Sum256(data); return hex.EncodeToString(s[:]) }
	cases := []struct {
		name   string
		revs   func() [][]*Revision // one slice per segment
		damage func(t *testing.T, j *Journal, dir string, ms []*Manifest) string
		want   string
	}{
		{name: "data swapped between two segments of the same size", want: "stored sha256 differs",
			revs: func() [][]*Revision {
				return [][]*Revision{seqRevisions(10, 19, t0, time.Second), seqRevisions(20, 29, t0, time.Second)}
			},
			damage: func(t *testing.T, j *Journal, dir string, ms []*Manifest) string {
				a, b := filepath.Join(dir, ms[0].Object.Key), filepath.Join(dir, ms[1].Object.Key)
				da, db := readFile(t, a), readFile(t, b)
				if len(da) != len(db) {
					t.Fatalf("segments of %d and %d bytes; the case needs the same size", len(da), len(db))
				}
				writeFile(t, a, db)
				writeFile(t, b, da)
				return ms[0].Name
			}},
		{name: "plain byte changed, stored sha256 fixed up", want: "plain bytes differ from the manifest",
			revs: func() [][]*Revision { return [][]*Revision{seqRevisions(10, 19, t0, time.Second)} },
			damage: func(t *testing.T, j *Journal, dir string, ms []*Manifest) string {
				p := filepath.Join(dir, ms[0].Object.Key)
				data := readFile(t, p)
				i := bytes.Index(data, []byte("value of revision 000015"))
				data[i] = 'V'
				writeFile(t, p, data)
				m := *ms[0]
				m.Object.SHA256 = sha256Hex(data)
				writeManifestFile(t, j, dir, &m)
				return m.Name
			}},
		{name: "plain sha256 edited", want: "plain bytes differ from the manifest",
			revs: func() [][]*Revision { return [][]*Revision{seqRevisions(10, 19, t0, time.Second)} },
			damage: func(t *testing.T, j *Journal, dir string, ms []*Manifest) string {
				m := *ms[0]
				m.Plain.SHA256 = sha256Hex([]byte("something else"))
				writeManifestFile(t, j, dir, &m)
				return m.Name
			}},
		{name: "an event of another revision", want: "revision 12 holds an event of revision 11",
			revs: func() [][]*Revision {
				revs := seqRevisions(10, 14, t0, time.Second)
				revs[2].Events[0].Kv.ModRevision = 11
				return [][]*Revision{revs}
			},
			damage: func(*testing.T, *Journal, string, []*Manifest) string { return Name(10, 14) }},
		{name: "a revision twice", want: "revision 12 out of order",
			revs: func() [][]*Revision {
				revs := seqRevisions(10, 14, t0, time.Second)
				return [][]*Revision{append(revs[:3:3], revs[2:]...)}
			},
			damage: func(*testing.T, *Journal, string, []*Manifest) string { return Name(10, 14) }},
		{name: "revisions out of order", want: "out of order",
			revs: func() [][]*Revision {
				revs := seqRevisions(10, 14, t0, time.Second)
				revs[1], revs[2] = revs[2], revs[1]
				return [][]*Revision{revs}
			},
			damage: func(*testing.T, *Journal, string, []*Manifest) string { return Name(10, 14) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j, dir := dirJournal(t, "test")
			var ms []*Manifest
			for _, revs := range c.revs() {
				ms = append(ms, commitRevisions(t, j, plainEncoding, revs))
			}
			name := c.damage(t, j, dir, ms)
			err := checkJournal(ctx, j, nil)
			if err == nil {
				t.Fatal("the damaged journal reads back without an error")
			}
			if !strings.Contains(err.Error(), "segment "+name) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q; want one naming segment %s with %q", err, name, c.want)
			}
		})
	}
}

func writeManifestFile(t *testing.T, j *Journal, dir string, m *Manifest) {
	t.Helper()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, filepath.FromSlash(j.Layout.ManifestKey(m.Name))), data)
}
