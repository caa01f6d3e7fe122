package cluster

import (
	"errors"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func member(name string, id uint64, leader uint64, applied uint64, learner bool, err error) Member {
	m := Member{ID: id, Name: name, Endpoint: "https://" + name + ":2379", IsLearner: learner, Err: err}
	if err == nil {
		m.Status = &clientv3.StatusResponse{Header: &pb.ResponseHeader{MemberId: id}, Leader: leader, RaftAppliedIndex: applied}
	}
	return m
}

func TestCandidates(t *testing.T) {
	down := errors.New("down")
	ms := []Member{
		member("leader", 1, 1, 100, false, nil),
		member("behind", 2, 1, 90, false, nil),
		member("ahead", 3, 1, 100, false, nil),
		member("learner", 4, 1, 100, true, nil),
		member("dead", 5, 1, 0, false, down),
	}
	cases := []struct {
		from string
		want []string
	}{
		{"follower", []string{"ahead", "behind", "leader", "learner"}},
		{"leader", []string{"leader", "ahead", "behind", "learner"}},
		{"any", []string{"leader", "behind", "ahead", "learner"}},
	}
	for _, c := range cases {
		got := Candidates(ms, c.from)
		var names []string
		for _, m := range got {
			names = append(names, m.Name)
		}
		if len(names) != len(c.want) {
			t.Fatalf("%s: got %v, want %v", c.from, names, c.want)
		}
		for i := range names {
			if names[i] != c.want[i] {
				t.Fatalf("%s: got %v, want %v", c.from, names, c.want)
			}
		}
	}
	if err := Unhealthy(ms); err == nil || err.Error() != "no healthy etcd member: https://dead:2379: down" {
		t.Fatalf("Unhealthy = %v", err)
	}
	if got := Candidates(ms[4:], "any"); len(got) != 0 {
		t.Fatalf("candidates among dead members: %v", got)
	}
}
