package maintain

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

const mib = 1 << 20

// fake returns n answering voting members, the first leading, each 200 MiB with 50 MiB in use.
func fake(n int) *cluster.Health {
	h := &cluster.Health{}
	for i := range n {
		id := uint64(0xa0 + i)
		h.Members = append(h.Members, cluster.MemberHealth{ID: id, Name: fmt.Sprintf("m%d", i),
			Endpoint: fmt.Sprintf("https://10.0.0.%d:2379", i+1), Status: &clientv3.StatusResponse{
				Header: &pb.ResponseHeader{MemberId: id}, Leader: 0xa0, RaftIndex: 1000, RaftAppliedIndex: 1000,
				DbSize: 200 * mib, DbSizeInUse: 50 * mib, DbSizeQuota: 2 << 30}})
	}
	return h
}

func TestDue(t *testing.T) {
	st := func(size, inUse, quota int64) *clientv3.StatusResponse {
		return &clientv3.StatusResponse{DbSize: size * mib, DbSizeInUse: inUse * mib, DbSizeQuota: quota * mib}
	}
	cases := []struct {
		name   string
		st     *clientv3.StatusResponse
		due    bool
		reason string
	}{
		{"fragmented", st(200, 50, 2048), true, "75% fragmented (150 MiB free of 200 MiB): at least 45% and 100 MiB"},
		{"fragmented but small", st(150, 90, 2048), false, "not due: 40% fragmented (60 MiB free of 150 MiB)"},
		{"large but dense", st(1000, 900, 2048), false, "not due: 10% fragmented"},
		{"near the quota", st(1700, 1600, 2048), true, "db at 83% of the 2.0 GiB quota: at least 80%"},
		{"full of live data", st(1700, 1700, 2048), false, "db at 83% of the 2.0 GiB quota"},
		{"no quota reported", st(1700, 1600, 0), true, "2.0 GiB quota"},
		{"no status", nil, false, "no status"},
	}
	for _, tc := range cases {
		d := Due(tc.st, DefaultRule())
		if d.Due != tc.due || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s: due %v %q, want %v %q", tc.name, d.Due, d.Reason, tc.due, tc.reason)
		}
	}
	if d := Due(st(1700, 1600, 2048), Rule{FragmentedFraction: 0.99}); d.Due {
		t.Errorf("quota trigger off: due %q", d.Reason)
	}
}

func TestPlanOrder(t *testing.T) {
	h := fake(4)
	h.Members[2].Status.DbSizeInUse = 190 * mib // m2 is not due
	h.Members[3].IsLearner = true
	steps := Plan(h, Options{})
	var got []string
	for _, s := range steps {
		got = append(got, fmt.Sprintf("%s:%v", s.Name, s.Due))
	}
	if want := "m3:true m1:true m0:true m2:false"; strings.Join(got, " ") != want {
		t.Fatalf("plan %v, want %s", got, want)
	}
	if !steps[2].Leader || steps[2].Reason == "" || !strings.HasPrefix(steps[3].Reason, "not due") {
		t.Fatalf("steps = %+v", steps)
	}
	if s := Plan(h, Options{All: true}); !s[3].Due || s[3].Reason != "every member asked for" {
		t.Fatalf("All: %+v", s[3])
	}
}

func TestPreconditions(t *testing.T) {
	cases := []struct {
		name   string
		n      int
		change func(h *cluster.Health)
		o      Options
		want   string // "" : accepted
	}{
		{"healthy", 3, func(*cluster.Health) {}, Options{}, ""},
		{"member down", 3, func(h *cluster.Health) {
			h.Members[2].Status, h.Members[2].StatusErr = nil, errors.New("connection refused")
		}, Options{}, "member m2 (https://10.0.0.3:2379) does not answer: connection refused; " +
			"2 of 3 voting members up: one more stalled would lose the quorum of 2"},
		{"read fails", 3, func(h *cluster.Health) { h.Members[1].ReadErr = errors.New("timeout") }, Options{},
			"member m1 (https://10.0.0.2:2379) does not answer: timeout"},
		{"no leader", 3, func(h *cluster.Health) {
			for _, m := range h.Members {
				m.Status.Leader = 0
				m.Status.Errors = []string{"etcdserver: no leader"}
			}
		}, Options{}, "reports: etcdserver: no leader"},
		{"split view", 3, func(h *cluster.Health) { h.Members[2].Status.Leader = 0xa2 }, Options{},
			"2 members say they lead, want exactly one"},
		{"lagging", 3, func(h *cluster.Health) { h.Members[1].Status.RaftAppliedIndex = 800 }, Options{},
			"member m1 (https://10.0.0.2:2379) is 200 raft entries behind (at most 100)"},
		{"lag allowed", 3, func(h *cluster.Health) { h.Members[1].Status.RaftAppliedIndex = 800 }, Options{MaxRaftLag: 500}, ""},
		{"NOSPACE", 3, func(h *cluster.Health) { h.Alarms = []cluster.Alarm{{MemberID: 0xa1, Type: cluster.AlarmNoSpace}} },
			Options{}, "alarm NOSPACE on member a1: run the NOSPACE remediation instead"},
		{"NOSPACE remediation", 3, func(h *cluster.Health) {
			h.Alarms = []cluster.Alarm{{MemberID: 0xa1, Type: cluster.AlarmNoSpace}}
			h.Members[1].Status.Errors = []string{"memberID:161 alarm:NOSPACE "}
		}, Options{nospace: true}, ""},
		{"CORRUPT", 3, func(h *cluster.Health) { h.Alarms = []cluster.Alarm{{MemberID: 0xa1, Type: cluster.AlarmCorrupt}} },
			Options{nospace: true}, "alarm CORRUPT on member a1"},
		{"no member list", 3, func(h *cluster.Health) { h.ListErr = errors.New("no quorum") }, Options{},
			"cannot list the members through raft: no quorum"},
		{"single member", 1, func(*cluster.Health) {}, Options{},
			"1 voting member(s): the cluster stops while one is defragmented; allow it explicitly"},
		{"single member allowed", 1, func(*cluster.Health) {}, Options{AllowUnavailable: true}, ""},
		{"two members", 2, func(*cluster.Health) {}, Options{}, "2 voting member(s)"},
	}
	for _, tc := range cases {
		h := fake(tc.n)
		tc.change(h)
		err := Preconditions(h, tc.o)
		var ref *RefusedError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ref) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestPrefixOf(t *testing.T) {
	cases := map[string]string{
		"/registry/events/default/x": "/registry/events",
		"/registry/health":           "/registry/health",
		"/a":                         "/a",
		"health":                     "health",
		"compact_rev_key/x/y":        "compact_rev_key/x",
	}
	for key, want := range cases {
		if got := prefixOf(key, 2); got != want {
			t.Errorf("prefixOf(%q, 2) = %q, want %q", key, got, want)
		}
	}
}
