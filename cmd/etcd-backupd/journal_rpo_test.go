package main

import (
	"context"
	"os"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// rpoContract is the recovery point promised with segment_max_age 1s: every write acknowledged
// this long before the daemon died is restorable.
const rpoContract = 5 * time.Second

// TestJournalRPOUnderSIGKILL writes about 1,000 puts/s while the daemon journals with 1s segments,
// then SIGKILLs the daemon and loses etcd's data dir at once (time T). restore --to-revision latest
// must give back every write acknowledged before T-5s with its value, and exactly the writes up to
// the revision it restored. The measured RPO (how long before T the newest restored write was
// acknowledged) is logged.
func TestJournalRPOUnderSIGKILL(t *testing.T) {
	longJournalTest(t, "writes 1,000 puts/s for 8s, kills the daemon and loses etcd's data")
	e := newEnv(t, 20)
	e.withJournal("1s")
	c := e.etcd.Client(t)
	e.runOnce()
	d := e.startDaemonProc()
	w := startPacedWriter(c, "/rpo", 16, 1000)
	time.Sleep(8 * time.Second) // the workload: writes go on for 8s
	if e.journaledUpTo() == 0 {
		w.wait()
		t.Fatalf("the daemon journaled nothing in 8s\n%s", daemonLog(d.log))
	}

	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	d.cmd.Wait()
	acks, errs := w.wait()
	if len(errs) > 0 {
		t.Fatalf("%d puts failed while etcd was up, first: %v", len(errs), errs[0])
	}
	e.etcd.Stop()
	if err := os.RemoveAll(e.etcd.DataDir); err != nil {
		t.Fatal(err)
	}
	rate := float64(len(acks)) / killedAt.Sub(w.start).Seconds()
	t.Logf("%d puts acknowledged (%.0f/s) by %d goroutines; daemon SIGKILLed and etcd's data dir deleted",
		len(acks), rate, 16)

	m := e.restoreServe("--to-revision", "latest")
	got, restoredRev := restoredPuts(t, m.Client(t), "/rpo/")
	checkRPO(t, acks, got, restoredRev, killedAt)
}

// restoredPuts is every key under prefix the restored member serves, and its revision.
func restoredPuts(t *testing.T, c *clientv3.Client, prefix string) (map[string]ackedPut, int64) {
	t.Helper()
	resp, err := c.Get(context.Background(), prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatalf("read the restored member: %v", err)
	}
	got := map[string]ackedPut{}
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = ackedPut{key: string(kv.Key), value: string(kv.Value), rev: kv.ModRevision}
	}
	return got, resp.Header.Revision
}

// checkRPO checks the contract (every put acknowledged before killedAt-rpoContract is restored with
// its value and revision) and exactness (a put is restored if and only if its revision is at most
// the restored one), and logs the measured RPO.
func checkRPO(t *testing.T, acks []ackedPut, got map[string]ackedPut, restoredRev int64, killedAt time.Time) {
	t.Helper()
	var newest ackedPut
	var lost, missing int
	for _, a := range acks {
		g, ok := got[a.key]
		switch {
		case ok && (g.value != a.value || g.rev != a.rev):
			t.Errorf("put %s: restored value %q at revision %d, acknowledged %q at revision %d",
				a.key, g.value, g.rev, a.value, a.rev)
		case !ok && a.at.Before(killedAt.Add(-rpoContract)):
			missing++
			if missing <= 5 {
				t.Errorf("put %s (revision %d) acknowledged %s before the kill is not restored (contract: %s)",
					a.key, a.rev, killedAt.Sub(a.at).Round(time.Millisecond), rpoContract)
			}
		case !ok && a.rev <= restoredRev:
			t.Errorf("put %s at revision %d is missing from the restore of revision %d", a.key, a.rev, restoredRev)
		case ok && a.rev > restoredRev:
			t.Errorf("put %s at revision %d is restored, after the restored revision %d", a.key, a.rev, restoredRev)
		case !ok && a.at.Before(killedAt):
			lost++
		}
		if ok && a.at.After(newest.at) {
			newest = a
		}
	}
	if missing > 0 {
		t.Errorf("%d puts acknowledged more than %s before the kill are not restored", missing, rpoContract)
	}
	if newest.rev == 0 {
		t.Fatalf("no acknowledged put was restored (restored revision %d)", restoredRev)
	}
	t.Logf("restored revision %d; the newest restored put (revision %d) was acknowledged %s before the kill: "+
		"measured RPO %s; %d puts acknowledged before the kill are not restored, all within the last %s",
		restoredRev, newest.rev, killedAt.Sub(newest.at).Round(time.Millisecond),
		killedAt.Sub(newest.at).Round(time.Millisecond), lost, rpoContract)
}
