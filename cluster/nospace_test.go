package cluster

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestSnapshotUnderNoSpace raises a real NOSPACE alarm and takes a whole snapshot from that member:
// a snapshot is a read, so the alarm alone must not make the member unusable. The alarm stays
// visible in the member's status.
func TestSnapshotUnderNoSpace(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki, Name: "full", QuotaBackendBytes: testQuota})
	etcdtest.FillUntilNoSpace(t, m.Client(t))
	c, err := New(Options{Endpoints: []string{m.Endpoint}, CACert: pki.CACert, Cert: pki.ClientCert,
		Key: pki.ClientKey, DialTimeout: 2 * time.Second}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	members, err := c.Members(ctx)
	if err != nil || len(members) != 1 {
		t.Fatalf("members = %+v, %v", members, err)
	}
	got := members[0]
	if !got.Healthy() {
		t.Fatalf("member under NOSPACE is not healthy: %v", got.Err)
	}
	if want := []Alarm{{MemberID: got.ID, Type: AlarmNoSpace}}; !slices.Equal(got.Alarms(), want) {
		t.Fatalf("alarms = %v, want %v", got.Alarms(), want)
	}
	cands := Candidates(members, "follower")
	if len(cands) != 1 {
		t.Fatalf("candidates under NOSPACE = %v, want the member", cands)
	}
	s, err := c.Snapshot(ctx, cands[0])
	if err != nil {
		t.Fatalf("open snapshot under NOSPACE: %v", err)
	}
	defer s.Close()
	n, err := io.Copy(io.Discard, s)
	if err != nil {
		t.Fatalf("read snapshot under NOSPACE: %v", err)
	}
	if n < testQuota/4 {
		t.Fatalf("snapshot of %d bytes, want at least %d", n, testQuota/4)
	}
	if _, err := m.Client(t).Put(ctx, "/after", "x"); err == nil || !strings.Contains(err.Error(), "space exceeded") {
		t.Fatalf("put after the snapshot = %v, want the alarm still raised", err)
	}
}

func TestStatusProblems(t *testing.T) {
	cases := []struct {
		errs []string
		want []string
	}{
		{nil, nil},
		{[]string{"memberID:123 alarm:NOSPACE "}, nil},
		{[]string{"memberID: 1 alarm: NOSPACE", "memberID:2 alarm:CORRUPT"}, []string{"memberID:2 alarm:CORRUPT"}},
		{[]string{"etcdserver: no leader", "memberID:3 alarm:NOSPACE"}, []string{"etcdserver: no leader"}},
	}
	for _, tc := range cases {
		got := statusProblems(&clientv3.StatusResponse{Errors: tc.errs})
		if !slices.Equal(got, tc.want) {
			t.Fatalf("statusProblems(%q) = %q, want %q", tc.errs, got, tc.want)
		}
	}
	if statusProblems(nil) != nil {
		t.Fatal("statusProblems(nil) is not nil")
	}
}
