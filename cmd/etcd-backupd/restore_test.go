package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestRestoreRoundTrip restores the latest backup with the CLI, with and without a revision bump, and
// serves every key and the revision from an embedded etcd on the restored dir.
func TestRestoreRoundTrip(t *testing.T) {
	e := newEnv(t, 2000).withPrivateKey()
	m := vrBackup(t, e)
	cases := []struct {
		name string
		args []string
		bump int64
		auto bool
	}{
		{"Kubernetes data is bumped by default", nil, 1_000_000_000, true},
		{"no bump", []string{"--no-bump-revision"}, 0, false},
		{"bumped", []string{"--bump-revision", "1000000000", "--mark-compacted"}, 1_000_000_000, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "etcd")
			peer := fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
			args := append([]string{"restore", "latest", "--data-dir", dir, "--name", "r1",
				"--initial-advertise-peer-urls", peer, "-w", "json"}, c.args...)
			out, stderr, code := e.run(args...)
			if code != 0 {
				t.Fatalf("restore: exit %d: %s", code, stderr)
			}
			var res restoreOutput
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("restore output %q: %v", out, err)
			}
			want := m.Snapshot.Revision + c.bump
			if res.BackupID != m.ID || res.Revision != want || !res.Kubernetes || len(res.Commands) != 1 ||
				!res.Commands[0].Done || (res.Recommendation != "") != (c.bump == 0) || res.BumpAutomatic != c.auto ||
				!res.MarkCompacted == (c.bump > 0) {
				t.Fatalf("restore result %+v", res)
			}
			r := etcdtest.StartDataDir(t, dir, "r1", peer)
			assertKeys(t, r, e.keys, want)
			resp, err := r.Client(t).Get(context.Background(), "/marker")
			if err != nil || resp.Header.Revision != want || len(resp.Kvs) != 1 {
				t.Fatalf("restored revision %d, want %d (%v)", resp.Header.Revision, want, err)
			}
			if c.bump > 0 { // what the API server turns into 410 Gone for an old resourceVersion
				assertCompactedWatch(t, r.Client(t), m.Snapshot.Revision)
			}
		})
	}
}

// TestRestoreTable checks the text output: the summary, the Kubernetes advice and the runbook.
func TestRestoreTable(t *testing.T) {
	e := newEnv(t, 300).withPrivateKey()
	m := vrBackup(t, e)
	dir := filepath.Join(t.TempDir(), "etcd")
	cluster := "a=https://10.0.0.1:2380,b=https://10.0.0.2:2380,c=https://10.0.0.3:2380"
	out, stderr, code := e.run("restore", m.ID, "--data-dir", dir, "--name", "b",
		"--initial-advertise-peer-urls", "https://10.0.0.2:2380", "--initial-cluster", cluster,
		"--initial-cluster-token", "prod-1", "--no-bump-revision")
	if code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	wants := []string{
		"Restored backup " + m.ID,
		"WARNING: this backup holds Kubernetes data",
		"--bump-revision 1000000000 --mark-compacted",
		"The cluster has 3 members. On each node whose member is not restored yet:",
		"sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/",
		"done: b: etcd-backupd --config " + e.cfgPth + " restore " + m.ID + " --data-dir " + dir +
			" --name b --initial-advertise-peer-urls https://10.0.0.2:2380 --initial-cluster " + cluster +
			" --initial-cluster-token prod-1 --no-bump-revision\n",
		"      c: etcd-backupd --config " + e.cfgPth + " restore " + m.ID,
		"etcd-backupd check",
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Fatalf("restore output lacks %q:\n%s", w, out)
		}
	}
}

// TestRestoreRefusesNonEmpty leaves a non-empty data dir exactly as it was and writes nothing beside it.
func TestRestoreRefusesNonEmpty(t *testing.T) {
	e := newEnv(t, 100).withPrivateKey()
	vrBackup(t, e)
	parent := t.TempDir()
	dir := filepath.Join(parent, "etcd")
	if err := os.MkdirAll(filepath.Join(dir, "member", "snap"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "member", "snap", "db"), []byte("old data"), 0o600); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "member", "snap", "db"), past, past)
	before := vrTree(t, dir)
	_, stderr, code := e.run("restore", "latest", "--data-dir", dir)
	vrExpect(t, stderr, code, 1, `data dir is not empty: `+dir+` holds member; move it aside first`)
	if after := vrTree(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("data dir changed:\nbefore %v\nafter  %v", before, after)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "member", "snap", "db")); string(b) != "old data" {
		t.Fatalf("data dir content changed: %q", b)
	}
	if got := files(t, parent); len(got) != 1 {
		t.Fatalf("restore left %v beside the data dir", got)
	}
}

// TestRestoreUsage checks the flag errors, which exit 2 before anything is read.
func TestRestoreUsage(t *testing.T) {
	e := newEnv(t, 0)
	dir := filepath.Join(t.TempDir(), "etcd")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"restore"}, `--data-dir is required`},
		{[]string{"restore", "--data-dir", dir, "--bump-revision", "10"}, `--bump-revision and --mark-compacted go together`},
		{[]string{"restore", "--data-dir", dir, "--mark-compacted"}, `--bump-revision and --mark-compacted go together`},
		{[]string{"restore", "--data-dir", dir, "--name", "x", "--initial-cluster", "y=http://127.0.0.1:2380"},
			`couldn't find local name "x" in the initial cluster configuration`},
		{[]string{"restore", "--data-dir", dir, "-w", "yaml"}, `--write-out: "yaml" is not table or json`},
	}
	for _, c := range cases {
		_, stderr, code := e.run(c.args...)
		vrExpect(t, stderr, code, 2, c.want)
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%v created the data dir", c.args)
		}
	}
}

// TestRestoreThreeMembers restores three data dirs from one backup with the commands restore prints,
// starts three real etcd processes on them and reads every key from the new cluster.
func TestRestoreThreeMembers(t *testing.T) {
	e := newEnv(t, 2000).withPrivateKey()
	m := vrBackup(t, e)
	pki := etcdtest.NewPKI(t)
	specs := make([]etcdtest.ProcSpec, 3)
	var peers []string
	for i := range specs {
		name := fmt.Sprintf("m%d", i)
		specs[i] = etcdtest.ProcSpec{Name: name, DataDir: filepath.Join(t.TempDir(), name),
			PeerURL: fmt.Sprintf("https://127.0.0.1:%d", etcdtest.FreePort(t))}
		peers = append(peers, name+"="+specs[i].PeerURL)
	}
	out, stderr, code := e.run("restore", m.ID, "--data-dir", specs[0].DataDir, "--name", "m0",
		"--initial-advertise-peer-urls", specs[0].PeerURL, "--initial-cluster", strings.Join(peers, ","),
		"--initial-cluster-token", "restored", "--bump-revision", "1000000000", "--mark-compacted", "-w", "json")
	if code != 0 {
		t.Fatalf("restore m0: exit %d: %s", code, stderr)
	}
	var res restoreOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Commands) != 3 {
		t.Fatalf("restore output %q: %v", out, err)
	}
	for i, c := range res.Commands[1:] {
		runPrinted(t, e, c.Command, specs[i+1].DataDir)
	}
	cl := etcdtest.StartProcs(t, pki, specs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := cl.Client(t)
	ml, err := c.MemberList(ctx)
	if err != nil || len(ml.Members) != 3 {
		t.Fatalf("member list: %v, %v", ml, err)
	}
	for _, p := range cl.Members {
		resp, err := p.Client(t).Get(ctx, "/registry/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil || resp.Count != int64(len(e.keys)) || resp.Header.Revision != m.Snapshot.Revision+1_000_000_000 {
			t.Fatalf("member %s: %v keys at revision %v (%v); want %d at %d", p.Name, resp.Count,
				resp.Header.Revision, err, len(e.keys), m.Snapshot.Revision+1_000_000_000)
		}
	}
	if _, err := c.Put(ctx, "/after-restore", "x"); err != nil {
		t.Fatalf("write to the restored cluster: %v", err)
	}
}

// runPrinted runs a restore command as printed, with this test's data dir for the member.
func runPrinted(t *testing.T, e *env, command, dataDir string) {
	t.Helper()
	args := strings.Fields(command)
	if args[0] != "etcd-backupd" {
		t.Fatalf("printed command %q", command)
	}
	args = args[1:]
	for i := 1; i < len(args); i++ {
		if args[i-1] == "--data-dir" {
			args[i] = dataDir
		}
	}
	var out, errb strings.Builder
	if code := execute(args, &out, &errb); code != 0 {
		t.Fatalf("%s: exit %d: %s", command, code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "member", "wal")); err != nil {
		t.Fatalf("%s restored no WAL: %v", command, err)
	}
}

// assertCompactedWatch checks that a watch from rev, a revision of the backup, is refused as compacted.
func assertCompactedWatch(t *testing.T, c *clientv3.Client, rev int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wr, ok := <-c.Watch(ctx, "/registry/", clientv3.WithPrefix(), clientv3.WithRev(rev))
	if !ok || wr.CompactRevision == 0 || !errors.Is(wr.Err(), rpctypes.ErrCompacted) {
		t.Fatalf("watch from revision %d: %+v, %v; want it compacted", rev, wr, wr.Err())
	}
}
