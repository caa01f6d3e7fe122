package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/prune"
)

// strayKeys are files in the store that are not ours; no prune may touch them.
var strayKeys = []string{"other/file", "test-cluster/snapshots/not-an-id.txt", "test-cluster/wal/x.json"}

// TestPrune takes real backups with run-once, then prunes them: a dry run changes nothing, a
// prune leaves only the kept backups and everything that is not ours, old orphans are swept and
// young ones kept, two prunes at once both succeed, and an all-zero policy is refused.
func TestPrune(t *testing.T) {
	e := newEnv(t, 50)
	e.set("retention", map[string]any{"keep_last": 10})
	ids := e.backups(5)
	store := filepath.Join(e.dir, "store")
	for _, k := range strayKeys {
		writeAged(t, store, k, 400*24*time.Hour)
	}
	e.set("retention", map[string]any{"keep_last": 4})
	before := tree(t, store)
	checkPruneDryRun(e, ids, before)

	// The prune deletes exactly the oldest backup's manifest and data.
	res := e.pruneJSON("prune", "-w", "json")
	if res.Deleted() != 1 || !slices.Equal(e.committed(), ids[1:]) {
		t.Fatalf("prune deleted %d; committed %v, want %v", res.Deleted(), e.committed(), ids[1:])
	}
	want := maps.Clone(before)
	delete(want, "test-cluster/snapshots/"+ids[0]+".json")
	delete(want, "test-cluster/snapshots/"+ids[0]+catalog.SuffixZstdPGP)
	if got := tree(t, store); !maps.Equal(got, want) {
		t.Fatalf("store after prune:\n%v\nwant:\n%v", got, want)
	}

	checkConcurrentPrunes(e, ids, before)

	// An all-zero policy is a config error.
	e.set("retention", map[string]any{"keep_last": 0, "keep_daily": 0})
	_, stderr, code := e.run("prune")
	if code != 2 || !strings.Contains(stderr, "retention") {
		t.Fatalf("prune under an all-zero policy: exit %d: %s", code, stderr)
	}
}

// checkPruneDryRun runs a dry run under keep_last 4: it lists the oldest backup for removal and
// deletes nothing.
func checkPruneDryRun(e *env, ids []string, before map[string]fileState) {
	t := e.t
	t.Helper()
	out, stderr, code := e.run("prune", "--dry-run")
	if code != 0 {
		t.Fatalf("prune --dry-run: exit %d: %s", code, stderr)
	}
	if after := tree(t, filepath.Join(e.dir, "store")); !maps.Equal(before, after) {
		t.Fatalf("prune --dry-run changed the store:\nbefore %v\nafter  %v", before, after)
	}
	for _, want := range []string{
		regexp.QuoteMeta(ids[0]) + `\s+\S+\s+REMOVE\s+no rule keeps it`,
		regexp.QuoteMeta(ids[4]) + `\s+\S+\s+KEEP\s+last 4, newest`,
		regexp.QuoteMeta(ids[1]) + `\s+\S+\s+KEEP\s+last 4\n`,
		`dry run: would delete 1 of 5 backups`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("prune --dry-run output lacks %q:\n%s", want, out)
		}
	}
}

// checkConcurrentPrunes adds an orphan older than the grace period (24h; snapshot_timeout is
// 1h) and a younger one, then runs two prunes at once under keep_last 2: both succeed, the two
// newest backups and the young orphan remain, and the stray files are untouched.
func checkConcurrentPrunes(e *env, ids []string, before map[string]fileState) {
	t := e.t
	t.Helper()
	store := filepath.Join(e.dir, "store")
	oldOrphan := "test-cluster/snapshots/" + catalog.NewID(time.Now().Add(-30*time.Hour), 1) + catalog.SuffixZstdPGP
	youngOrphan := "test-cluster/snapshots/" + catalog.NewID(time.Now().Add(-2*time.Hour), 2) + catalog.SuffixZstdPGP
	writeAged(t, store, oldOrphan, 25*time.Hour)
	writeAged(t, store, youngOrphan, time.Hour)
	e.set("retention", map[string]any{"keep_last": 2})
	e.run("config", "validate") // writes the config file
	outs, errs, codes := e.runConcurrently(2, "prune", "-w", "json")
	for i := range codes {
		if codes[i] != 0 {
			t.Fatalf("concurrent prune %d: exit %d: %s\n%s", i, codes[i], errs[i], outs[i])
		}
	}
	if got := e.committed(); !slices.Equal(got, ids[3:]) {
		t.Fatalf("committed after concurrent prunes %v, want %v", got, ids[3:])
	}
	after := tree(t, store)
	if _, ok := after[oldOrphan]; ok {
		t.Fatalf("orphan older than the grace period was kept")
	}
	if _, ok := after[youngOrphan]; !ok {
		t.Fatalf("orphan younger than the grace period was swept")
	}
	for _, k := range strayKeys {
		if after[k] != before[k] {
			t.Fatalf("%s changed: %v, was %v", k, after[k], before[k])
		}
	}
}

// pruneJSON runs a prune with -w json and decodes its result.
func (e *env) pruneJSON(args ...string) *prune.Result {
	e.t.Helper()
	out, stderr, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	var res prune.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		e.t.Fatalf("%v output %q: %v", args, out, err)
	}
	return &res
}

// TestRunOncePrunesOnlyAfterSuccess checks that run-once applies retention after a committed
// backup, and that a failed backup deletes nothing.
func TestRunOncePrunesOnlyAfterSuccess(t *testing.T) {
	e := newEnv(t, 20)
	e.set("retention", map[string]any{"keep_last": 5})
	ids := e.backups(3)

	e.set("retention", map[string]any{"keep_last": 1})
	endpoints := e.cfg["etcd"].(map[string]any)["endpoints"]
	e.set("etcd.endpoints", []string{"https://127.0.0.1:" + itoa(etcdtest.FreePort(t))})
	if _, stderr, code := e.run("run-once"); code != 1 {
		t.Fatalf("run-once against no etcd: exit %d: %s", code, stderr)
	}
	if got := e.committed(); !slices.Equal(got, ids) {
		t.Fatalf("a failed backup pruned: committed %v, want %v", got, ids)
	}

	e.set("etcd.endpoints", endpoints)
	newest := e.backups(1)
	if got := e.committed(); !slices.Equal(got, newest) {
		t.Fatalf("run-once under keep_last 1 left %v, want only %v", got, newest)
	}
}
