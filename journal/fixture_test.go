package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// dirJournal is a journal of cluster in a fresh directory, and that directory: tests damage the
// files under it.
func dirJournal(t testing.TB, cluster string) (*Journal, string) {
	t.Helper()
	dir := t.TempDir()
	return openDir(t, dir, cluster), dir
}

// openDir is the journal of cluster in the file store at dir.
func openDir(t testing.TB, dir, cluster string) *Journal {
	t.Helper()
	s, err := storage.Open(context.Background(), "file://"+dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return New(s, cluster)
}

// copyJournal copies a recorded journal's directory, so that each case damages its own copy.
func copyJournal(t testing.TB, src, cluster string) (*Journal, string) {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return openDir(t, dst, cluster), dst
}

// putRevision is revision rev received at at: one put of key, made at rev.
func putRevision(rev int64, at time.Time, key, value string) *Revision {
	return &Revision{Rev: rev, Time: at, Events: []*mvccpb.Event{{
		Type: mvccpb.PUT,
		Kv: &mvccpb.KeyValue{Key: []byte(key), Value: []byte(value), CreateRevision: rev, ModRevision: rev,
			Version: 1},
	}}}
}

// seqRevisions are revisions first to last, one put each, received step apart from t0.
func seqRevisions(first, last int64, t0 time.Time, step time.Duration) []*Revision {
	var revs []*Revision
	for rev := first; rev <= last; rev++ {
		revs = append(revs, putRevision(rev, t0.Add(time.Duration(rev-first)*step), fmt.Sprintf("k%06d", rev),
			fmt.Sprintf("value of revision %06d", rev)))
	}
	return revs
}

// buildSealed encodes revs into a sealed segment of cluster that starts at revs[0].
func buildSealed(t testing.TB, cluster string, enc Encoding, previous string, revs []*Revision) *sealed {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSegment(cluster, revs[0].Rev, enc, zw, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		if err := s.add(r); err != nil {
			t.Fatal(err)
		}
	}
	sl, err := s.seal(Layout{Cluster: cluster}, previous, "")
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

// commitRevisions commits revs at j as one segment and returns its manifest.
func commitRevisions(t testing.TB, j *Journal, enc Encoding, revs []*Revision) *Manifest {
	t.Helper()
	s := buildSealed(t, j.Layout.Cluster, enc, "", revs)
	if err := j.commit(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s.m
}

// checkJournal reads every committed segment of j as a restore would and returns the first error.
func checkJournal(ctx context.Context, j *Journal, id *crypto.Identity) error {
	l, err := j.List(ctx)
	if err != nil {
		return err
	}
	if len(l.Segments) == 0 {
		return errors.New("the journal lists no segment")
	}
	for _, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			return err
		}
		if err := j.Read(ctx, m, id, func(*Revision) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}

// plainEncoding stores segments as they are: no compression, no encryption.
var plainEncoding = Encoding{Compression: catalog.CompressionNone}

// syncObserver counts what a recorder reports; the uploader calls Committed from its own goroutine.
type syncObserver struct {
	throttled atomic.Int64
	last      atomic.Int64 // the highest revision committed everywhere
	mu        sync.Mutex
	committed []*Manifest
	// onThrottled, when set, runs inside Throttled.
	onThrottled func()
}

func (o *syncObserver) Committed(m *Manifest) {
	o.mu.Lock()
	o.committed = append(o.committed, m)
	o.mu.Unlock()
	if m.LastRevision > o.last.Load() {
		o.last.Store(m.LastRevision)
	}
}

func (o *syncObserver) Throttled() {
	o.throttled.Add(1)
	if o.onThrottled != nil {
		o.onThrottled()
	}
}

func (o *syncObserver) manifests() []*Manifest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*Manifest(nil), o.committed...)
}

// waitCommitted waits until the observer saw revision rev committed everywhere.
func (o *syncObserver) waitCommitted(t testing.TB, rev int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for o.last.Load() < rev {
		if time.Now().After(deadline) {
			t.Fatalf("revision %d not committed after %s (last committed %d)", rev, timeout, o.last.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// running is a Recorder.Run in its own goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// startRun runs r from st until stop.
func startRun(r *Recorder, st Start) *running {
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- r.Run(ctx, st) }()
	return run
}

// stop cancels the run and returns what Run returned, failing the test when it takes over limit.
func (run *running) stop(t testing.TB, limit time.Duration) error {
	t.Helper()
	run.cancel()
	return run.wait(t, limit)
}

// wait returns what Run returned, failing the test when it takes over limit.
func (run *running) wait(t testing.TB, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-run.done:
		return err
	case <-time.After(limit):
		t.Fatalf("Run did not return within %s", limit)
		return nil
	}
}

// currentRev is etcd's revision now.
func currentRev(t testing.TB, cli *clientv3.Client) int64 {
	t.Helper()
	resp, err := cli.Get(context.Background(), "any")
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// putKeys puts n keys with value and returns the revision of the last put.
func putKeys(t testing.TB, cli *clientv3.Client, prefix string, n int, value string) int64 {
	t.Helper()
	var last int64
	for i := range n {
		resp, err := cli.Put(context.Background(), fmt.Sprintf("%s%04d", prefix, i), value)
		if err != nil {
			t.Fatal(err)
		}
		last = resp.Header.Revision
	}
	return last
}

// checkSequence fails unless revs are exactly first to last, each once and in order.
func checkSequence(t testing.TB, revs []*Revision, first, last int64) {
	t.Helper()
	if len(revs) == 0 {
		t.Fatalf("no revision recorded; want %d-%d", first, last)
	}
	for i, r := range revs {
		if want := first + int64(i); r.Rev != want {
			t.Fatalf("revision #%d is %d, want %d (recorded %d-%d, %d revisions; want %d-%d)", i, r.Rev, want,
				revs[0].Rev, revs[len(revs)-1].Rev, len(revs), first, last)
		}
	}
	if got := revs[len(revs)-1].Rev; got != last {
		t.Fatalf("recorded up to revision %d, want %d", got, last)
	}
}

// recording is a journal recorded by a real Recorder from an embedded etcd: its directory and the
// revisions it holds.
type recording struct {
	dir         string
	cluster     string
	first, last int64
}

// record writes n puts of value (a two-key txn every tenth) to a fresh embedded etcd while a
// Recorder records them with enc into a fresh directory, in segments of about maxBytes.
func record(t testing.TB, enc Encoding, n int, value string, maxBytes int64) recording {
	t.Helper()
	m := etcdtest.Start(t, etcdtest.Options{})
	cli := m.Client(t)
	ctx := context.Background()
	j, dir := dirJournal(t, "test")
	obs := &syncObserver{}
	r, err := NewRecorder(cli, []*Journal{j}, Options{Cluster: "test", Encoding: enc, MaxAge: 50 * time.Millisecond,
		MaxBytes: maxBytes, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	first := currentRev(t, cli) + 1
	run := startRun(r, Start{Next: first, Base: "b"})
	var last int64
	for i := range n {
		resp, err := cli.Put(ctx, fmt.Sprintf("/registry/k%04d", i%40), fmt.Sprintf("%s %d", value, i))
		if err != nil {
			t.Fatal(err)
		}
		last = resp.Header.Revision
		if i%10 == 9 {
			txn, err := cli.Txn(ctx).Then(clientv3.OpPut("/registry/t", value),
				clientv3.OpDelete(fmt.Sprintf("/registry/k%04d", i%40))).Commit()
			if err != nil {
				t.Fatal(err)
			}
			last = txn.Header.Revision
		}
	}
	obs.waitCommitted(t, last, 30*time.Second)
	if err := run.stop(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return recording{dir: dir, cluster: "test", first: first, last: last}
}

// keysTB is keys for benchmarks too: the same real gpg key.
func keysTB(tb testing.TB) (*crypto.Recipients, *crypto.Identity) {
	tb.Helper()
	k := gpgtest.NewKey(tb, "journal", "future-default", "")
	rec, err := crypto.LoadRecipients([]string{k.PublicFile})
	if err != nil {
		tb.Fatal(err)
	}
	id, err := crypto.LoadIdentity(k.SecretFile, "")
	if err != nil {
		tb.Fatal(err)
	}
	return rec, id
}
