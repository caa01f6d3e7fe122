package check

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

const mib = 1 << 20

// healthy returns three answering members, m0 leading, and valid certificates.
func healthy() *cluster.Health {
	h := &cluster.Health{}
	for i := range 3 {
		id := uint64(0xa0 + i)
		h.Members = append(h.Members, cluster.MemberHealth{ID: id, Name: fmt.Sprintf("m%d", i),
			Endpoint: fmt.Sprintf("https://10.0.0.%d:2379", i+1), Status: &clientv3.StatusResponse{
				Header: &pb.ResponseHeader{MemberId: id}, Leader: 0xa0, RaftTerm: 2, RaftIndex: 1000,
				RaftAppliedIndex: 1000, DbSize: 20 * mib, DbSizeInUse: 15 * mib, DbSizeQuota: 2 << 30, Version: "3.7.3"}})
	}
	h.Certs = []cluster.CertExpiry{
		{Label: cluster.CertClient, Source: "/pki/client.crt", NotAfter: testNow.Add(300 * 24 * time.Hour)},
		{Label: cluster.CertCA, Source: "/pki/ca.crt", NotAfter: testNow.Add(3000 * 24 * time.Hour)},
		{Label: "server:m0", Source: "https://10.0.0.1:2379", NotAfter: testNow.Add(200 * 24 * time.Hour)},
	}
	return h
}

func down(h *cluster.Health, i int) {
	h.Members[i].Status = nil
	h.Members[i].StatusErr = errors.New("status of " + h.Members[i].Endpoint + ": connection refused")
}

type want struct {
	sev     Severity
	subject string // a finding with this subject prefix and this severity must exist
	message string // and this text in its message
}

// evaluateCases change a healthy cluster and say what the report must show.
var evaluateCases = []struct {
	name   string
	change func(h *cluster.Health)
	result Severity
	wants  []want
}{
	{"healthy", func(*cluster.Health) {}, OK, []want{{OK, "quorum", "all 3 voting members are up (2 needed)"}, {OK, "leader", "m0 leads"},
		{OK, "raft index", "within 0"}, {OK, "alarms", "no active"}, {OK, "db size", "at most 1%"},
		{OK, "certificates", "3 valid"}}},
	{"one member down", func(h *cluster.Health) { down(h, 2) }, Critical, []want{
		{Critical, "member m2 (https://10.0.0.3:2379)", "does not answer: status of https://10.0.0.3:2379: connection refused"},
		{Warn, "quorum", "held by 2 of 3"}}},
	{"quorum lost", func(h *cluster.Health) { down(h, 1); down(h, 2) }, Critical, []want{
		{Critical, "quorum", "LOST: 1 of 3 voting members are up and 2 are needed"}}},
	{"read fails", func(h *cluster.Health) { h.Members[1].ReadErr = errors.New("linearizable read: deadline") },
		Critical, []want{{Critical, "member m1", "linearizable read"}}},
	{"no leader", func(h *cluster.Health) {
		for _, m := range h.Members {
			m.Status.Leader = 0
		}
	}, Critical, []want{{Critical, "leader", "no member leads"}}},
	{"two leaders", func(h *cluster.Health) { h.Members[2].Status.Leader = 0xa2 }, Critical, []want{
		{Critical, "leader", "2 members claim to lead: m0, m2"}}},
	{"raft lag", func(h *cluster.Health) {
		h.Members[1].Status.RaftIndex = 950
		h.Members[1].Status.RaftAppliedIndex = 950
	},
		Warn, []want{{Warn, "raft index", "m1 is 50 entries behind m0"}}},
	{"apply lag", func(h *cluster.Health) { h.Members[1].Status.RaftAppliedIndex = 900 },
		Warn, []want{{Warn, "member m1", "applied index 900 is 100 entries behind"}}},
	{"NOSPACE", func(h *cluster.Health) { h.Alarms = []cluster.Alarm{{MemberID: 0xa1, Type: cluster.AlarmNoSpace}} },
		Critical, []want{{Critical, "alarm NOSPACE", "raised on m1 (a1)"}}},
	{"CORRUPT", func(h *cluster.Health) { h.Alarms = []cluster.Alarm{{MemberID: 0xff, Type: cluster.AlarmCorrupt}} },
		Critical, []want{{Critical, "alarm CORRUPT", "raised on ff"}}},
	{"alarm list fails", func(h *cluster.Health) { h.AlarmErr = errors.New("no quorum") },
		Warn, []want{{Warn, "alarms", "cannot list alarms"}}},
	{"db at 85% of quota", func(h *cluster.Health) {
		h.Members[0].Status.DbSize, h.Members[0].Status.DbSizeInUse = 85*mib, 80*mib
		quota(h, 100*mib)
	},
		Warn, []want{{Warn, "member m0", "db 85 MiB of quota 100 MiB (85%)"}}},
	{"db at 96% of quota", func(h *cluster.Health) {
		h.Members[0].Status.DbSize, h.Members[0].Status.DbSizeInUse = 96*mib, 90*mib
		quota(h, 100*mib)
	},
		Critical, []want{{Critical, "member m0", "NOSPACE is imminent"}}},
	{"db over the quota", func(h *cluster.Health) {
		h.Members[1].Status.DbSize = 101 * mib
		quota(h, 100*mib)
	},
		Critical, []want{{Critical, "member m1", "(101%): the quota is reached"}}},
	{"fragmented", func(h *cluster.Health) {
		h.Members[2].Status.DbSize, h.Members[2].Status.DbSizeInUse = 400*mib, 100*mib
	},
		Warn, []want{{Warn, "member m2", "maintenance is due (300 MiB can be reclaimed): 75% fragmented"}}},
	{"not fragmented below 100 MiB", func(h *cluster.Health) { h.Members[2].Status.DbSizeInUse = mib },
		OK, []want{{OK, "db size", "fragmentation below"}}},
	{"client cert in 20 days", func(h *cluster.Health) { h.Certs[0].NotAfter = testNow.Add(20 * 24 * time.Hour) },
		Warn, []want{{Warn, "client certificate /pki/client.crt", "expires on 2026-03-30 (20 days left)"}}},
	{"client cert in 3 days", func(h *cluster.Health) { h.Certs[0].NotAfter = testNow.Add(3 * 24 * time.Hour) },
		Critical, []want{{Critical, "client certificate", "(3 days left)"}}},
	{"server cert expired", func(h *cluster.Health) { h.Certs[2].NotAfter = testNow.Add(-time.Hour) },
		Critical, []want{{Critical, "server certificate of m0", "expired on 2026-03-10"}}},
	{"CA in 10h", func(h *cluster.Health) { h.Certs[1].NotAfter = testNow.Add(10 * time.Hour) },
		Critical, []want{{Critical, "CA certificate", "(10h left)"}}},
}

func TestEvaluate(t *testing.T) {
	for _, tc := range evaluateCases {
		t.Run(tc.name, func(t *testing.T) {
			h := healthy()
			tc.change(h)
			r := Evaluate(h, nil, Options{Cluster: testCluster, Thresholds: DefaultThresholds()}, testNow)
			if r.Result != tc.result {
				t.Fatalf("result %s, want %s; findings:\n%s", r.Result, tc.result, dump(r.Findings))
			}
			for _, w := range tc.wants {
				if !hasFinding(r.Findings, w) {
					t.Fatalf("no %s finding %q with %q in:\n%s", w.sev, w.subject, w.message, dump(r.Findings))
				}
			}
			for i := 1; i < len(r.Findings); i++ {
				if r.Findings[i].Severity > r.Findings[i-1].Severity {
					t.Fatalf("findings not sorted worst first:\n%s", dump(r.Findings))
				}
			}
			if (len(r.Runbook) > 0) != (tc.name == "NOSPACE") {
				t.Fatalf("runbook has %d steps", len(r.Runbook))
			}
		})
	}
}

func quota(h *cluster.Health, q int64) {
	for _, m := range h.Members {
		m.Status.DbSizeQuota = q
	}
}

func hasFinding(fs []Finding, w want) bool {
	for _, f := range fs {
		if f.Severity == w.sev && strings.HasPrefix(f.Subject, w.subject) && strings.Contains(f.Message, w.message) {
			return w.sev == OK || f.Action != ""
		}
	}
	return false
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s: %s -> %s\n", f.Severity, f.Subject, f.Message, f.Action)
	}
	return b.String()
}

func TestFailed(t *testing.T) {
	cases := []struct {
		result       Severity
		strict, want bool
	}{
		{OK, false, false}, {OK, true, false}, {Warn, false, false}, {Warn, true, true},
		{Critical, false, true}, {Critical, true, true},
	}
	for _, tc := range cases {
		if got := (&Report{Result: tc.result}).Failed(tc.strict); got != tc.want {
			t.Fatalf("Failed(strict=%v) with %s = %v, want %v", tc.strict, tc.result, got, tc.want)
		}
	}
}
