package snapstat_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/snapstat"
)

// The tests here are differential: every case compares the scanner, fed the stream in chunks of
// random sizes, with etcdutl's snapshot status (the library) on the same bytes saved to a file.

// TestMain serves the library's status in a child process (see libraryChild) when asked to.
func TestMain(m *testing.M) {
	snapstat.RunChild()
	os.Exit(m.Run())
}

// chunkSeeds are the seeds of the chunked feeds each valid case gets, besides one single Write.
var chunkSeeds = []uint64{1, 2, 3}

// maxChunk bounds one Write of a chunked feed.
const maxChunk = 4 << 20

// scan feeds data to a new scanner (spilling for odd seeds) the way io.Copy does, through a buffer that is overwritten after
// each Write (so that a scanner keeping p would be caught), in chunks of 1 byte to maxChunk drawn from
// seed, or in one Write when seed is 0.
func scan(data []byte, seed uint64) (snapstat.Status, error) {
	s := snapstat.New()
	if seed%2 == 1 { // half the chunked feeds through tiny spill files: the same results
		s = snapstat.NewTinySpill(os.TempDir())
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	buf := make([]byte, len(data))
	for len(data) > 0 {
		n := len(data)
		if seed != 0 {
			n = min(n, 1+rng.IntN(maxChunk>>rng.IntN(23))) // as many small chunks as large ones
		}
		p := buf[:copy(buf, data[:n])]
		w, err := s.Write(p)
		clear(p)
		if w != n {
			return snapstat.Status{}, fmt.Errorf("Write took %d of %d bytes (error %v)", w, n, err)
		}
		if err != nil {
			break
		}
		data = data[n:]
	}
	return s.Status()
}

// library runs etcdutl's snapshot status in this process, for files bbolt can open safely.
func library(t testing.TB, path string) snapstat.Status {
	t.Helper()
	st, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		t.Fatalf("library status of %s: %v", path, err)
	}
	return snapstat.Status{Hash: st.Hash, Revision: st.Revision, TotalKeys: st.TotalKey, TotalSize: st.TotalSize,
		StorageVersion: st.Version}
}

// libraryChild runs etcdutl's snapshot status in a child process, for files that may crash bbolt. It
// kills the child after 3 s: bbolt takes minutes to describe some damage (a key of gigabytes in hex).
func libraryChild(path string) (snapstat.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := snapstat.File(ctx, path)
	return snapstat.Status(st), err
}

// save writes data to a new file in a temp dir and returns its path.
func save(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snapshot.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertAgrees checks that every feed of data gives exactly what the library gives, and returns that.
func assertAgrees(t *testing.T, data []byte) snapstat.Status {
	t.Helper()
	want := library(t, save(t, data))
	for _, seed := range append([]uint64{0}, chunkSeeds...) {
		got, err := scan(data, seed)
		if err != nil || got != want {
			t.Errorf("scanner (chunk seed %d, 0 = one Write) = %+v, %v; library = %+v", seed, got, err, want)
		}
	}
	return want
}

// snapshotStream reads a whole snapshot stream from c, the sha256 trailer included, as the backup does.
func snapshotStream(t testing.TB, c *clientv3.Client) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rc, err := c.Snapshot(ctx)
	if err != nil {
		t.Fatalf("open snapshot stream: %v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read snapshot stream: %v", err)
	}
	if len(data)%512 != 32 {
		t.Fatalf("snapshot stream of %d bytes has no sha256 trailer", len(data))
	}
	return data
}

// verdict is the scanner's and the library's answer on one input.
type verdict struct {
	scan, lib       snapstat.Status
	scanErr, libErr error
}

func (v verdict) String() string {
	return fmt.Sprintf("scanner %+v, %v; library %+v, %v", v.scan, v.scanErr, v.lib, v.libErr)
}

// same reports whether both succeeded with the same fields.
func (v verdict) same() bool { return v.scanErr == nil && v.libErr == nil && v.scan == v.lib }

// bug reports whether the scanner accepted what the library refuses, or reported other fields.
func (v verdict) bug() bool {
	return v.scanErr == nil && (v.libRefused() || v.libErr == nil && v.scan != v.lib)
}

// libRefused reports whether the library refused the input: it reported an error, or crashed on it
// (bbolt panics in a goroutine of its own on many damaged pages). Killed for its time, it says nothing.
func (v verdict) libRefused() bool {
	return v.libErr != nil && !strings.Contains(v.libErr.Error(), "signal: killed")
}

// judge runs the scanner (see scanTwice) and the library in a child process on data.
func judge(t testing.TB, data []byte, seed uint64) verdict {
	var v verdict
	v.scan, v.scanErr = scanTwice(t, data, seed)
	v.lib, v.libErr = libraryChild(save(t, data))
	return v
}

// scanTwice scans data in one Write and in chunks drawn from seed, and fails t unless both give the
// same answer.
func scanTwice(t testing.TB, data []byte, seed uint64) (snapstat.Status, error) {
	st, err := scan(data, 0)
	chunked, cerr := scan(data, seed)
	if chunked != st || fmt.Sprint(cerr) != fmt.Sprint(err) {
		t.Errorf("chunk seed %d: scanner = %+v, %v; in one Write = %+v, %v", seed, chunked, cerr, st, err)
	}
	return st, err
}
