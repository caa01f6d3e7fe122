package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// rpoResult is what a restored member holds of the acknowledged puts.
type rpoResult struct {
	newestRestored int64 // ack time (unix ns) of the newest restored put
	oldestLost     int64 // ack time of the oldest put acknowledged before T and not restored; 0: none
	lost           int   // acknowledged before T, not restored
	missing        int   // acknowledged before T - contract, not restored
	wrong          int   // restored with another value or revision
	inexact        int   // restored after the target revision, or missing at or before it
}

// runRPOCheck reads the puts --acks lists from a member restored with restore --to-revision latest
// and prints the recovery point measured and the contract's result.
func runRPOCheck(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("rpo-check", flag.ExitOnError)
	endpoint := fs.String("endpoint", "", "the restored member's client URL")
	acksPath := fs.String("acks", "", "the acks file of rpo-write")
	prefix := fs.String("prefix", "/bench-rpo/", "key prefix")
	valueSize := fs.Int("value-size", 2048, "value size")
	contract := fs.Duration("contract", 5*time.Second, "every put acknowledged this long before T must be restored")
	target := fs.Int64("target", 0, "the revision restored (point_in_time.target_revision); 0 skips the exactness check")
	walDir := fs.String("wal", "", "<store>/<cluster>/wal: also the loss window of a kill just before each commit")
	fs.Parse(args)
	killedAt, acks, err := readAcks(*acksPath)
	if err != nil {
		return err
	}
	got, err := restoredKVs(*endpoint, *prefix)
	if err != nil {
		return err
	}
	kvs := values(*valueSize)
	res := checkAcks(acks, got, killedAt, contract.Nanoseconds(), *target, func(a ackedPut, v []byte) bool {
		return bytes.Equal(v, kvs[a.idx%poolSize].Value)
	}, *prefix)
	r := report{out, "rpo_"}
	r.int("restored", int64(len(got)))
	if res.newestRestored > 0 {
		r.float("newest_restored_s", float64(killedAt-res.newestRestored)/1e9)
	}
	if res.oldestLost > 0 {
		r.float("loss_window_s", float64(killedAt-res.oldestLost)/1e9)
	} else {
		r.float("loss_window_s", 0)
	}
	r.int("lost", int64(res.lost))
	r.int("missing", int64(res.missing))
	r.int("wrong", int64(res.wrong))
	r.int("inexact", int64(res.inexact))
	if *walDir != "" {
		return reportCommitLags(r, *walDir, acks, killedAt, contract.Nanoseconds())
	}
	return nil
}

// reportCommitLags prints, over every segment committed before the kill that holds acknowledged
// puts, the loss window a kill just before its commit would have had: the worst case of the run.
func reportCommitLags(r report, walDir string, acks []ackedPut, killedAt, contract int64) error {
	w, err := scanWAL(walDir)
	if err != nil {
		return err
	}
	ra := make([]revAck, len(acks))
	for i, a := range acks {
		ra[i] = revAck{a.rev, a.at}
	}
	lags := committedWithin(lagsOf(w, ra), time.Time{}, time.Unix(0, killedAt))
	over := 0
	for _, l := range lags {
		if l.lag.Nanoseconds() > contract {
			over++
		}
	}
	r.int("commits", int64(len(lags)))
	r.float("commit_lag_max_s", maxLagOf(lags).Seconds())
	r.int("commits_over_contract", int64(over))
	return nil
}

type restoredKV struct {
	value []byte
	rev   int64
}

func restoredKVs(endpoint, prefix string) (map[string]restoredKV, error) {
	cs, err := dial(endpoint, 1)
	if err != nil {
		return nil, err
	}
	defer closeAll(cs)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := cs[0].Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	got := make(map[string]restoredKV, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = restoredKV{value: kv.Value, rev: kv.ModRevision}
	}
	return got, nil
}

// checkAcks compares every acknowledged put with what was restored.
func checkAcks(acks []ackedPut, got map[string]restoredKV, killedAt, contract, target int64,
	sameValue func(ackedPut, []byte) bool, prefix string) rpoResult {
	var res rpoResult
	for _, a := range acks {
		g, ok := got[rpoKey(prefix, a.idx)]
		switch {
		case ok && (g.rev != a.rev || !sameValue(a, g.value)):
			res.wrong++
		case ok:
			res.newestRestored = max(res.newestRestored, a.at)
		case a.at < killedAt-contract:
			res.missing++
		}
		if !ok {
			res.lost++
			if res.oldestLost == 0 || a.at < res.oldestLost {
				res.oldestLost = a.at
			}
		}
		if target > 0 && ok != (a.rev <= target) {
			res.inexact++
		}
	}
	return res
}
