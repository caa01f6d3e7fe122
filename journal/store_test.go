package journal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// TestCommitCreateOnly commits a segment twice (a retry after a lost answer: accepted) and
// another segment of the same name (another writer's, after a failover: accepted as the chain's,
// nothing overwritten); under a damaged manifest of that name the commit is refused (ErrTaken).
func TestCommitCreateOnly(t *testing.T) {
	ctx := context.Background()
	j, _ := dirJournal(t, "test")
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	s := buildSealed(t, "test", plainEncoding, "", seqRevisions(5, 9, t0, time.Second))
	if err := j.commit(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := j.commit(ctx, s); err != nil {
		t.Fatalf("the same segment again: %v", err)
	}
	revs := seqRevisions(5, 9, t0, time.Second)
	revs[2].Events[0].Kv.Value = []byte("another writer's value")
	other := buildSealed(t, "test", plainEncoding, "", revs)
	if err := j.commit(ctx, other); err != nil {
		t.Fatalf("another writer's segment of the same revisions: %v, want it taken as committed", err)
	}
	got := readAll(t, j, nil)
	if string(got[2].Events[0].Kv.Value) != "value of revision 000007" {
		t.Fatalf("the first segment was overwritten: %q", got[2].Events[0].Kv.Value)
	}
	jd, dir := dirJournal(t, "test")
	bad := buildSealed(t, "test", plainEncoding, "", seqRevisions(5, 9, t0, time.Second))
	mkey := filepath.Join(dir, jd.Layout.ManifestKey(bad.m.Name))
	if err := os.MkdirAll(filepath.Dir(mkey), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, mkey, []byte("{damaged"))
	if err := jd.commit(ctx, bad); !errors.Is(err, catalog.ErrTaken) {
		t.Fatalf("under a damaged manifest: %v, want catalog.ErrTaken", err)
	}
}

// TestList lists committed segments in revision order, data without a manifest as orphans, and
// ignores every other key.
func TestList(t *testing.T) {
	ctx := context.Background()
	j, dir := dirJournal(t, "test")
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range [][2]int64{{20, 29}, {5, 9}, {10, 19}, {5, 7}} {
		commitRevisions(t, j, plainEncoding, seqRevisions(r[0], r[1], t0, time.Second))
	}
	orphan := buildSealed(t, "test", plainEncoding, "", seqRevisions(30, 35, t0, time.Second))
	junk := []string{
		"test/wal/" + Name(40, 41) + ".json.tmp",
		"test/wal/" + Name(40, 41) + ".jnl.gz",
		"test/wal/notes.txt",
		"test/wal/sub/" + Name(50, 51) + ".json",
		"test2/wal/" + Name(60, 61) + ".json",
		"test/" + Name(70, 71) + ".json",
		orphan.m.Object.Key,
	}
	for _, k := range junk {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, orphan.data)
	}
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := spans(l.Segments), []string{"5-7", "5-9", "10-19", "20-29"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("segments %v, want %v", got, want)
	}
	for _, s := range l.Segments {
		if len(s.Objects) != 2 || s.Size() != s.Objects[0].Size+s.Objects[1].Size || s.Name != Name(s.First, s.Last) {
			t.Fatalf("segment %+v: want its data and manifest", s)
		}
	}
	if len(l.Orphans) != 1 || l.Orphans[0].Key != orphan.m.Object.Key {
		t.Fatalf("orphans %+v, want %s", l.Orphans, orphan.m.Object.Key)
	}
}

// TestDelete removes a segment, manifest and data; its neighbours stay readable.
func TestDelete(t *testing.T) {
	ctx := context.Background()
	j, _ := dirJournal(t, "test")
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	commitRevisions(t, j, plainEncoding, seqRevisions(5, 9, t0, time.Second))
	commitRevisions(t, j, plainEncoding, seqRevisions(10, 19, t0, time.Second))
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Delete(ctx, l.Segments[0]); err != nil {
		t.Fatal(err)
	}
	l, err = j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Segments) != 1 || l.Segments[0].First != 10 || len(l.Orphans) != 0 {
		t.Fatalf("after delete: segments %v, orphans %v", spans(l.Segments), l.Orphans)
	}
	checkSequence(t, readAll(t, j, nil), 10, 19)
}

// TestNewest finds the newest segment over destinations and reports the one that cannot be listed.
func TestNewest(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	j1, _ := dirJournal(t, "test")
	j2, _ := dirJournal(t, "test")
	commitRevisions(t, j1, plainEncoding, seqRevisions(5, 9, t0, time.Second))
	commitRevisions(t, j1, plainEncoding, seqRevisions(10, 50, t0, time.Second))
	commitRevisions(t, j2, plainEncoding, seqRevisions(5, 70, t0, time.Second))
	commitRevisions(t, j2, plainEncoding, seqRevisions(20, 30, t0, time.Second))
	j3, _ := dirJournal(t, "test")
	broken := New(&faultStore{Store: j3.Store, ListErr: errors.New("listing refused")}, "test")
	empty, _ := dirJournal(t, "test")
	s, err := Newest(ctx, []*Journal{j1, broken, j2, empty})
	if s == nil || s.Name != Name(5, 70) {
		t.Fatalf("newest %+v, want %s", s, Name(5, 70))
	}
	if err == nil || !strings.Contains(err.Error(), "listing refused") {
		t.Fatalf("error %v, want the broken destination's", err)
	}
	s, err = Newest(ctx, []*Journal{empty})
	if s != nil || err != nil {
		t.Fatalf("empty journal: %+v, %v", s, err)
	}
}
