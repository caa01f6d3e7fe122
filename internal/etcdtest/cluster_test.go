package etcdtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

func TestStartCluster(t *testing.T) {
	c := StartCluster(t, 3)
	checkMembership(t, c, 3)

	// A killed member keeps its data dir and catches up after a restart.
	p := c.Members[1]
	p.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The killed member may have led: retry while the others elect a new leader.
	cli := c.Client(t)
	for {
		_, err := cli.Put(ctx, "/after-kill", "v")
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("put with one member down: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.Start(t)
	p.WaitReady(t)
	resp, err := p.Client(t).Get(ctx, "/after-kill")
	if err != nil {
		t.Fatalf("get from restarted %s: %v", p.Name, err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
		t.Fatalf("restarted %s returned %v, want /after-kill=v", p.Name, resp.Kvs)
	}
}

// checkMembership asserts n members and one leader that every member agrees on.
func checkMembership(t *testing.T, c *Cluster, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli := c.Client(t)
	ml, err := cli.MemberList(ctx)
	if err != nil {
		t.Fatalf("member list: %v", err)
	}
	if len(ml.Members) != n {
		t.Fatalf("member list has %d members, want %d", len(ml.Members), n)
	}
	ids := map[uint64]bool{}
	for _, m := range ml.Members {
		ids[m.ID] = true
	}
	leaders := map[uint64]bool{}
	selfLeaders := 0
	for _, ep := range c.Endpoints() {
		st, err := cli.Status(ctx, ep)
		if err != nil {
			t.Fatalf("status of %s: %v", ep, err)
		}
		leaders[st.Leader] = true
		if st.Leader == st.Header.MemberId {
			selfLeaders++
		}
	}
	if len(leaders) != 1 || selfLeaders != 1 {
		t.Fatalf("leaders seen = %v, members that lead = %d; want one leader", leaders, selfLeaders)
	}
	for id := range leaders {
		if !ids[id] {
			t.Fatalf("leader %x is not in the member list", id)
		}
	}
}

func TestStartProcsRestored(t *testing.T) {
	pki := NewPKI(t)
	src := Start(t, Options{PKI: pki, Name: "src"})
	const n, size, seed = 500, 512, 11
	Fill(t, src.Client(t), n, size, seed)
	dir := t.TempDir()
	db := filepath.Join(dir, "snap.db")
	mgr := snapshot.NewV3(zap.NewNop())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := clientv3.Config{Endpoints: []string{src.Endpoint}, TLS: pki.ClientTLS(t), Logger: zap.NewNop()}
	if _, err := mgr.Save(ctx, cfg, db); err != nil {
		t.Fatalf("save snapshot: %v", err)
	}
	src.Stop()

	specs := make([]ProcSpec, 3)
	initial := ""
	for i := range specs {
		specs[i] = ProcSpec{Name: fmt.Sprintf("r%d", i), PeerURL: loopbackURL(true, FreePort(t))}
		specs[i].DataDir = filepath.Join(dir, specs[i].Name+".etcd")
		if i > 0 {
			initial += ","
		}
		initial += specs[i].Name + "=" + specs[i].PeerURL
	}
	for _, s := range specs {
		err := mgr.Restore(snapshot.RestoreConfig{SnapshotPath: db, Name: s.Name, OutputDataDir: s.DataDir,
			PeerURLs: []string{s.PeerURL}, InitialCluster: initial, InitialClusterToken: "restored"})
		if err != nil {
			t.Fatalf("restore %s: %v", s.Name, err)
		}
	}
	c := StartProcs(t, pki, specs)
	checkMembership(t, c, 3)
	checkData(t, c.Client(t), Generate(n, size, seed))
}
