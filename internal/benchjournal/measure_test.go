package main

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/journal"
)

func TestParseMetrics(t *testing.T) {
	m, err := parseMetrics(strings.NewReader(`# HELP etcd_backupd_journal_events_total x
etcd_backupd_journal_events_total{cluster="bench"} 1.5e+06
etcd_backupd_journal_segments_total{result="success"} 3
etcd_backupd_journal_segments_total{result="failure"} 1
etcd_backupd_journal_lag_seconds 0.25
`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{mEvents: 1.5e6, "etcd_backupd_journal_segments_total": 4, mLag: 0.25} {
		if m[name] != want {
			t.Errorf("%s = %v, want %v", name, m[name], want)
		}
	}
}

func TestCheckAcks(t *testing.T) {
	const sec = int64(time.Second)
	kill := 100 * sec
	acks := []ackedPut{{0, 10, 90 * sec}, {1, 11, 94 * sec}, {2, 12, 96 * sec}, {3, 13, 99 * sec}}
	restored := func(idx ...int64) map[string]restoredKV {
		got := map[string]restoredKV{}
		for _, i := range idx {
			got[rpoKey("/p/", i)] = restoredKV{rev: acks[i].rev}
		}
		return got
	}
	cases := []struct {
		name string
		got  map[string]restoredKV
		want rpoResult
	}{
		{"all restored", restored(0, 1, 2, 3), rpoResult{newestRestored: 99 * sec}},
		{"last two lost", restored(0, 1), rpoResult{newestRestored: 94 * sec, oldestLost: 96 * sec, lost: 2}},
		{"one lost before the contract", restored(0), rpoResult{newestRestored: 90 * sec, oldestLost: 94 * sec, lost: 3, missing: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkAcks(acks, c.got, kill, 5*sec, 0, func(ackedPut, []byte) bool { return true }, "/p/")
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestLagsAndRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	seg := func(first, last int64, events int, committed time.Duration) segmentStat {
		return segmentStat{m: &journal.Manifest{FirstRevision: first, LastRevision: last, Events: events},
			committed: t0.Add(committed)}
	}
	w := &walDir{segments: []segmentStat{seg(1, 10, 10, 2*time.Second), seg(11, 20, 10, 4*time.Second), seg(21, 30, 30, 6*time.Second)}}
	var acks []revAck
	for rev := int64(1); rev <= 30; rev++ {
		acks = append(acks, revAck{rev, t0.Add(time.Duration(rev) * 100 * time.Millisecond).UnixNano()})
	}
	lags := lagsOf(w, acks)
	wantLags := []time.Duration{1900 * time.Millisecond, 2900 * time.Millisecond, 3900 * time.Millisecond}
	for i, l := range lags {
		if l.lag != wantLags[i] {
			t.Errorf("segment %d: lag %s, want %s", i, l.lag, wantLags[i])
		}
	}
	if got := commitRate(lags); got != 10 { // 40 events committed in the 4 s after the first commit
		t.Errorf("commitRate = %v, want 10", got)
	}
	if got := len(committedWithin(lags, t0.Add(3*time.Second), t0.Add(6*time.Second))); got != 2 {
		t.Errorf("committedWithin: %d segments, want 2", got)
	}
}
