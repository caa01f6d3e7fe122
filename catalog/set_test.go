package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// setFixture is three file destinations: a and b hold backups; broken's cluster folder is a
// symbolic link to itself, so every listing there fails.
type setFixture struct {
	a, b, broken *Catalog
	logs         *observer.ObservedLogs
	lg           *zap.Logger
	ids          []string // oldest first: ids[0] and ids[2] at a, ids[1] at b
}

func newSetFixture(t *testing.T) *setFixture {
	t.Helper()
	ctx := context.Background()
	open := func(name string) *Catalog {
		dir := filepath.Join(t.TempDir(), name)
		s, err := storage.Open(ctx, "file://"+dir, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return New(s, "c1")
	}
	f := &setFixture{a: open("a"), b: open("b"), broken: open("broken")}
	brokenDir := strings.TrimPrefix(f.broken.Store.String(), "file://")
	if err := os.Symlink("c1", filepath.Join(brokenDir, "c1")); err != nil { // a loop: every read fails
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range []*Catalog{f.a, f.b, f.a} {
		m := &Manifest{Format: 1, ID: NewID(base.Add(time.Duration(i)*time.Hour), int64(10+i)), ClusterName: "c1"}
		m.Snapshot.Revision = int64(10 + i)
		m.Object = ObjectInfo{Key: c.Layout.DataKey(m.ID, DataSuffix(CompressionZstd, true)),
			Compression: CompressionZstd, Encryption: EncryptionPGP}
		if err := c.Commit(ctx, m); err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, m.ID)
	}
	var core zapcore.Core
	core, f.logs = observer.New(zap.WarnLevel)
	f.lg = zap.New(core)
	return f
}

func (f *setFixture) set(cats ...*Catalog) *Set {
	var urls []string
	for _, c := range cats {
		urls = append(urls, c.Store.String()+"?configured")
	}
	return NewSet(cats, urls, f.lg)
}

func TestSetResolve(t *testing.T) {
	ctx := context.Background()
	f := newSetFixture(t)
	cases := []struct {
		name     string
		cats     []*Catalog
		ref      string
		wantID   string
		wantAt   *Catalog
		wantErr  []string // all in the error
		warnings int
	}{
		{"latest is the newest anywhere", []*Catalog{f.b, f.a}, "latest", f.ids[2], f.a, nil, 0},
		{"an ID from the one that holds it", []*Catalog{f.a, f.b}, f.ids[1], f.ids[1], f.b, nil, 0},
		{"a broken destination is a warning", []*Catalog{f.broken, f.a, f.b}, "latest", f.ids[2], f.a, nil, 1},
		{"an ID past a broken destination", []*Catalog{f.broken, f.b}, f.ids[1], f.ids[1], f.b, nil, 1},
		{"nowhere: every answer joined", []*Catalog{f.broken, f.b}, f.ids[0], "", nil,
			[]string{f.broken.Store.String(), "no such backup"}, 0},
		{"no destination", nil, "latest", "", nil, []string{"no such backup"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.logs.TakeAll()
			at, m, err := f.set(c.cats...).Resolve(ctx, c.ref)
			if c.wantErr != nil {
				for _, w := range c.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("Resolve: %v, want an error with %q", err, w)
					}
				}
				return
			}
			if err != nil || m.ID != c.wantID || at != c.wantAt {
				t.Fatalf("Resolve = %v at %v, %v; want %s at %s", m, at, err, c.wantID, c.wantAt.Store)
			}
			if got := f.logs.Len(); got != c.warnings {
				t.Fatalf("%d warnings, want %d", got, c.warnings)
			}
		})
	}
}

func TestSetPick(t *testing.T) {
	f := newSetFixture(t)
	s := f.set(f.a, f.b)
	for _, from := range []string{"1", f.b.Store.String(), f.b.Store.String() + "?configured"} {
		got, err := s.Pick(from)
		if err != nil || got.Len() != 1 || got.All()[0] != f.b {
			t.Fatalf("Pick(%q) = %v, %v; want b alone", from, got, err)
		}
	}
	if got, err := NewSet(s.All(), nil, nil).Pick("1"); err != nil || got.All()[0] != f.b {
		t.Fatalf("Pick of a set without URLs = %v, %v", got, err)
	}
	if got, err := s.Pick(""); err != nil || got.Len() != 2 {
		t.Fatalf("Pick(\"\") = %v, %v; want both", got, err)
	}
	for _, from := range []string{"2", "-1", "file:///nowhere", "s3://b?endpoint=http://user:hunter22@h:9000"} {
		_, err := s.Pick(from)
		if err == nil || !strings.Contains(err.Error(), "--from") || strings.Contains(err.Error(), "hunter22") {
			t.Fatalf("Pick(%q): %v, want an error naming --from and no secret", from, err)
		}
	}
}

// TestSetEach: every destination is worked on whatever the others returned; the errors are joined.
func TestSetEach(t *testing.T) {
	ctx := context.Background()
	f := newSetFixture(t)
	var seen []*Catalog
	err := f.set(f.a, f.broken, f.b).Each(ctx, func(c *Catalog) error {
		seen = append(seen, c)
		_, err := c.List(ctx)
		return err
	})
	if len(seen) != 3 || err == nil || !strings.Contains(err.Error(), f.broken.Store.String()) {
		t.Fatalf("Each saw %d destinations, error %v; want 3 and the broken one named", len(seen), err)
	}
	newest, err := f.set(f.broken, f.b, f.a).Newest(ctx)
	if newest == nil || newest.ID != f.ids[2] || err == nil {
		t.Fatalf("Newest = %v, %v; want %s and the broken destination's error", newest, err, f.ids[2])
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	seen = nil
	err = f.set(f.a, f.b).Each(cancelled, func(c *Catalog) error { seen = append(seen, c); return nil })
	if len(seen) != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Each on a cancelled context ran %d, %v", len(seen), err)
	}
}
