package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/etcdserver/api/snap"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"
)

// TestRestoreInPlaceMatchesEtcdutl restores one backup with etcdutl's library (a copy of the plain
// snapshot), with restoreInPlace (the snapshot already at the member's database) and with Restore,
// for one member, a member of three, a revision bump, and a checked trailer: every file is the same,
// byte for byte, with the same mode (Restore's without group and other bits), except the database,
// whose buckets, keys and values must be the same (dbSum), and its size: restoreInPlace opens it
// once where etcdutl opens it for each step, so bbolt may place the few pages they write elsewhere. With more than one
// member, etcdutl's own raft snapshot (member/snap/*.snap) differs from run to run (the members go
// into its v2 store in map order, which numbers them): there it must match but for that numbering.
func TestRestoreInPlaceMatchesEtcdutl(t *testing.T) {
	f := newFixture(t, 300, 512, true)
	m := f.backup()
	plain := filepath.Join(t.TempDir(), "plain.db")
	if _, err := FetchFile(context.Background(), f.options(), m, plain); err != nil {
		t.Fatal(err)
	}
	one := "n1=http://127.0.0.1:2380"
	three := "n1=http://127.0.0.1:2380,n2=http://127.0.0.2:2380,n3=http://127.0.0.3:2380"
	cases := []struct {
		name  string
		cfg   snapshot.RestoreConfig
		loose bool // the raft snapshot's members in any order
	}{
		{"one member", snapshot.RestoreConfig{Name: "n1", PeerURLs: []string{"http://127.0.0.1:2380"},
			InitialCluster: one, InitialClusterToken: "tok", SkipHashCheck: true}, false},
		{"three members", snapshot.RestoreConfig{Name: "n2", PeerURLs: []string{"http://127.0.0.2:2380"},
			InitialCluster: three, InitialClusterToken: "tok3", SkipHashCheck: true}, true},
		{"bump", snapshot.RestoreConfig{Name: "n1", PeerURLs: []string{"http://127.0.0.1:2380"},
			InitialCluster: one, InitialClusterToken: "tok", SkipHashCheck: true,
			RevisionBump: KubernetesBump, MarkCompacted: true}, false},
		{"hash checked", snapshot.RestoreConfig{Name: "n1", PeerURLs: []string{"http://127.0.0.1:2380"},
			InitialCluster: one, InitialClusterToken: "tok"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ref, inPlace, ours := filepath.Join(dir, "etcdutl"), filepath.Join(dir, "inplace"), filepath.Join(dir, "ours")

			cfg := c.cfg
			cfg.SnapshotPath, cfg.OutputDataDir = plain, ref
			if err := snapshot.NewV3(zap.NewNop()).Restore(cfg); err != nil {
				t.Fatalf("etcdutl's restore: %v", err)
			}

			cfg = c.cfg
			cfg.SnapshotPath, cfg.OutputDataDir = memberDB(inPlace), inPlace
			if err := makeMemberDBDir(inPlace); err != nil {
				t.Fatal(err)
			}
			copyFile(t, plain, memberDB(inPlace))
			if err := restoreInPlace(zap.NewNop(), cfg); err != nil {
				t.Fatalf("restoreInPlace: %v", err)
			}
			want := contentTree(t, ref, 0, c.loose)
			if got := contentTree(t, inPlace, 0, c.loose); got != want {
				t.Fatalf("restoreInPlace made\n%s\netcdutl made\n%s", got, want)
			}

			ro := RestoreOptions{DataDir: ours, Name: c.cfg.Name, PeerURLs: c.cfg.PeerURLs,
				InitialCluster: c.cfg.InitialCluster, InitialClusterToken: c.cfg.InitialClusterToken,
				BumpRevision: c.cfg.RevisionBump, MarkCompacted: c.cfg.MarkCompacted}
			if _, err := Restore(context.Background(), f.options(), m, ro); err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if got, want := contentTree(t, ours, 0o077, c.loose), contentTree(t, ref, 0o077, c.loose); got != want {
				t.Fatalf("Restore made\n%s\netcdutl made\n%s", got, want)
			}
		})
	}
}

// TestRestoreInPlaceRefuses checks that restoreInPlace works only on a data dir that holds the
// member's database and nothing else, and fails on a snapshot without its trailer unless told to
// skip the check, as etcdutl does.
func TestRestoreInPlaceRefuses(t *testing.T) {
	cfg := snapshot.RestoreConfig{Name: "n1", PeerURLs: []string{"http://127.0.0.1:2380"},
		InitialCluster: "n1=http://127.0.0.1:2380", InitialClusterToken: "tok", SkipHashCheck: true}
	cases := []struct {
		name  string
		setup func(t *testing.T, data string) snapshot.RestoreConfig
		want  string
	}{
		{"no database", func(t *testing.T, data string) snapshot.RestoreConfig {
			mkdir(t, filepath.Dir(memberDB(data)), 0o700)
			return cfg
		}, "and nothing else"},
		{"another file", func(t *testing.T, data string) snapshot.RestoreConfig {
			mkdir(t, filepath.Dir(memberDB(data)), 0o700)
			writeFile(t, memberDB(data), []byte("x"), 0o600)
			writeFile(t, filepath.Join(data, "member", "wal"), []byte("x"), 0o600)
			return cfg
		}, "and nothing else"},
		{"other snapshot path", func(t *testing.T, data string) snapshot.RestoreConfig {
			mkdir(t, filepath.Dir(memberDB(data)), 0o700)
			writeFile(t, memberDB(data), []byte("x"), 0o600)
			c := cfg
			c.SnapshotPath = filepath.Join(data, "elsewhere.db")
			return c
		}, "is not at"},
		{"no trailer", func(t *testing.T, data string) snapshot.RestoreConfig {
			mkdir(t, filepath.Dir(memberDB(data)), 0o700)
			writeFile(t, memberDB(data), make([]byte, 4096), 0o600)
			c := cfg
			c.SkipHashCheck = false
			return c
		}, "missing hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			cfg := c.setup(t, data)
			cfg.OutputDataDir = data
			err := restoreInPlace(zap.NewNop(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("restoreInPlace = %v, want an error with %q", err, c.want)
			}
		})
	}
}

// contentTree describes every entry under root by its path relative to root, type, permission bits
// without drop, and the sha256 of a file's contents; loose: of a raft snapshot's contents but for
// the numbering of its v2 store (snapSum).
func contentTree(t *testing.T, root string, drop fs.FileMode, loose bool) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sum := ""
		switch {
		case loose && strings.HasSuffix(p, ".snap"):
			sum = snapSum(t, p)
		case rel == filepath.Join("member", "snap", "db"):
			fmt.Fprintf(&b, "%s %v %04o %s\n", rel, fi.Mode().Type(), fi.Mode().Perm()&^drop, dbSum(t, p))
			return nil
		case fi.Mode().IsRegular():
			sum = fileSum(t, p)
		}
		fmt.Fprintf(&b, "%s %v %04o %d %s\n", rel, fi.Mode().Type(), fi.Mode().Perm()&^drop, fi.Size(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// dbSum is the sha256 of every bucket of a bbolt file, in order: its name, then each key and value,
// each preceded by its length, nested buckets included.
func dbSum(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := sha256.New()
	put := func(b []byte) { fmt.Fprintf(h, "%d:", len(b)); h.Write(b) }
	var walk func(b *bolt.Bucket) error
	walk = func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			put(k)
			if v == nil { // a nested bucket
				h.Write([]byte("{"))
				err := walk(b.Bucket(k))
				h.Write([]byte("}"))
				return err
			}
			put(v)
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			put(name)
			return walk(b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, data, 0o600)
}

// snapSum is the sha256 of a raft snapshot file's metadata and v2 store, without the store's
// indexes and with its event history in sorted order: what does not depend on the order in which
// the members were stored.
func snapSum(t *testing.T, path string) string {
	t.Helper()
	s, err := snap.Read(zap.NewNop(), path)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := proto.MarshalOptions{Deterministic: true}.Marshal(s.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	var store any
	if err := json.Unmarshal(s.Data, &store); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(unnumbered(store))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(append(meta, data...))
	return hex.EncodeToString(h[:])
}

// unnumbered drops the v2 store's created and modified indexes from v and sorts its lists.
func unnumbered(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.EqualFold(k, "createdIndex") || strings.EqualFold(k, "modifiedIndex") {
				delete(v, k)
				continue
			}
			v[k] = unnumbered(e)
		}
	case []any:
		keys := make([]string, len(v))
		for i, e := range v {
			v[i] = unnumbered(e)
			b, _ := json.Marshal(v[i])
			keys[i] = string(b)
		}
		sort.Sort(byKey{v, keys})
	}
	return v
}

type byKey struct {
	v    []any
	keys []string
}

func (b byKey) Len() int           { return len(b.v) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.v[i], b.v[j] = b.v[j], b.v[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}
