package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// journalWithSegments runs the daemon with the journal under a mixed workload, stops it, and
// returns the env, the last revision and the journal's segments (at least three).
func journalWithSegments(t *testing.T) (*env, int64, []string) {
	t.Helper()
	e := newEnv(t, 20)
	e.withJournal("150ms")
	e.runOnce()
	d := e.startDaemonProc()
	var last int64
	for round := range 4 {
		revs := mixedWorkload(t, e.etcd.Client(t), round)
		last = revs[len(revs)-1]
		time.Sleep(300 * time.Millisecond) // one segment or more per round
	}
	e.waitJournaled(last, 30*time.Second, d)
	d.stop(t)
	var names []string
	for _, f := range files(t, e.journalDir()) {
		if name, ok := strings.CutSuffix(f, ".json"); ok {
			names = append(names, name)
		}
	}
	if len(names) < 3 {
		t.Fatalf("%d segments, want at least 3", len(names))
	}
	return e, last, names
}

// TestJournalTamperedSegment: a flipped byte in a segment's data makes verify --journal and a
// restore that needs it fail, naming the segment; nothing is restored.
func TestJournalTamperedSegment(t *testing.T) {
	e, _, names := journalWithSegments(t)
	victim := names[1]
	data, err := filepath.Glob(filepath.Join(e.journalDir(), victim+".*jnl*"))
	if err != nil || len(data) != 1 {
		t.Fatalf("data of %s: %v %v", victim, data, err)
	}
	b, err := os.ReadFile(data[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(data[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := e.run("verify", "--journal")
	if code != 1 || !strings.Contains(out+stderr, victim) || !strings.Contains(out+stderr, "sha256") {
		t.Fatalf("verify --journal: exit %d, want 1 naming %s and the sha256:\n%s%s", code, victim, out, stderr)
	}
	dir := filepath.Join(t.TempDir(), "data")
	_, stderr, code = e.run("restore", "--to-revision", "latest", "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, victim) {
		t.Fatalf("restore: exit %d, want 1 naming %s:\n%s", code, victim, stderr)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("a failed restore left %v in the data dir", got)
	}
}

// TestJournalMissingSegment: a segment removed (manifest and data) is a gap that the chain does not
// explain: verify --journal fails naming the missing segment (the next one continues it) and shows
// the gap, a restore across it is refused naming the nearest restorable points, and a revision
// before it still restores.
func TestJournalMissingSegment(t *testing.T) {
	e, _, names := journalWithSegments(t)
	victim := names[len(names)/2]
	objs, _ := filepath.Glob(filepath.Join(e.journalDir(), victim+".*"))
	for _, o := range objs {
		if err := os.Remove(o); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := e.run("verify", "--journal")
	first, last := victimRange(t, victim)
	gap := fmt.Sprintf("revisions %d to %d are not journaled", first, last)
	if code != 1 || !strings.Contains(out, gap) || !strings.Contains(stderr, "continues "+victim+", which is missing") {
		t.Fatalf("verify --journal: exit %d, want 1, %q and the missing %s named:\n%s%s", code, gap, victim, out, stderr)
	}
	dir := filepath.Join(t.TempDir(), "data")
	_, stderr, code = e.run("restore", "--to-revision", fmt.Sprint(first), "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "not restorable") || !strings.Contains(stderr, "nearest restorable points") {
		t.Fatalf("restore inside the gap: exit %d, want 1 naming the nearest points:\n%s", code, stderr)
	}
	m := e.restoreServe("--to-revision", fmt.Sprint(first-1))
	if rev := servedRevision(t, m); rev != first-1 {
		t.Fatalf("restored revision %d, want %d", rev, first-1)
	}
}

func victimRange(t *testing.T, name string) (int64, int64) {
	t.Helper()
	var first, last int64
	if _, err := fmt.Sscanf(name, "%d-%d", &first, &last); err != nil {
		t.Fatalf("segment name %s: %v", name, err)
	}
	return first, last
}

// servedRevision is the revision member m serves.
func servedRevision(t *testing.T, m *etcdtest.Member) int64 {
	t.Helper()
	resp, err := m.Client(t).Get(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// TestJournalVerifyAfterPruneAndWithoutKey: segments removed from the head of the journal (as prune
// removes them with their backups) leave a journal that verifies; a node without the private key
// verifies the stored checksums and says so.
func TestJournalVerifyAfterPruneAndWithoutKey(t *testing.T) {
	e, _, names := journalWithSegments(t)
	objs, _ := filepath.Glob(filepath.Join(e.journalDir(), names[0]+".*"))
	for _, o := range objs {
		if err := os.Remove(o); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := e.run("verify", "--journal")
	if code != 0 || !strings.Contains(out, ": OK") {
		t.Fatalf("verify --journal after the head was pruned: exit %d:\n%s%s", code, out, stderr)
	}
	e.set("encryption.private_key", "")
	e.set("encryption.passphrase_file", "")
	out, stderr, code = e.run("verify", "--journal")
	if code != 0 || !strings.Contains(out, "stored checksums only") {
		t.Fatalf("verify --journal without the private key: exit %d:\n%s%s", code, out, stderr)
	}
	if _, stderr, code = e.run("verify", "--journal", "--deep"); code != 2 || !strings.Contains(stderr, "encryption.private_key") {
		t.Fatalf("verify --journal --deep without the private key: exit %d, want 2 naming the key: %s", code, stderr)
	}
}
