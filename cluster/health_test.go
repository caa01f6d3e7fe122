package cluster

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

const testQuota = 8 << 20

// TestHealth looks at one embedded TLS member while it is healthy, under a real NOSPACE alarm, and
// stopped.
func TestHealth(t *testing.T) {
	pki := etcdtest.NewPKI(t)
	m := etcdtest.Start(t, etcdtest.Options{PKI: pki, Name: "solo", QuotaBackendBytes: testQuota})
	c, err := New(Options{Endpoints: []string{m.Endpoint}, CACert: pki.CACert, Cert: pki.ClientCert,
		Key: pki.ClientKey, DialTimeout: 2 * time.Second}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	h := c.Health(ctx, HealthOptions{Read: true, ServerCerts: true})
	if h.ListErr != nil || h.AlarmErr != nil || len(h.Alarms) != 0 {
		t.Fatalf("healthy member: list %v, alarm list %v, alarms %v", h.ListErr, h.AlarmErr, h.Alarms)
	}
	if len(h.Members) != 1 || !h.Members[0].Answers() || !h.Members[0].IsLeader() || h.Members[0].Name != "solo" {
		t.Fatalf("members = %+v, want solo answering and leading", h.Members)
	}
	if total, up := h.Voters(); total != 1 || up != 1 {
		t.Fatalf("voters = %d/%d, want 1/1", up, total)
	}
	wantCerts := map[string]string{CertClient: pki.ClientCert, CertCA: pki.CACert, "server:solo": pki.ServerCert}
	if len(h.Certs) != len(wantCerts) {
		t.Fatalf("certs = %+v, want %d", h.Certs, len(wantCerts))
	}
	for _, ce := range h.Certs {
		if want := notAfter(t, wantCerts[ce.Label]); ce.Err != nil || !ce.NotAfter.Equal(want) {
			t.Fatalf("cert %s: not after %v (err %v), want %v", ce.Label, ce.NotAfter, ce.Err, want)
		}
	}

	etcdtest.FillUntilNoSpace(t, m.Client(t))
	h = c.Health(ctx, HealthOptions{Read: true})
	id := h.Members[0].ID
	want := []Alarm{{MemberID: id, Type: AlarmNoSpace}}
	if h.AlarmErr != nil || !slices.Equal(h.Alarms, want) {
		t.Fatalf("alarms = %v (err %v), want %v", h.Alarms, h.AlarmErr, want)
	}
	if got := alarmsFromStatus(h.Members); !slices.Equal(got, want) {
		t.Fatalf("alarms from status errors %q = %v, want %v", h.Members[0].Status.Errors, got, want)
	}
	g := h.Gauges()
	if g.Members != 1 || g.Answering != 1 || !g.HasLeader || g.Alarms[AlarmNoSpace] != 1 ||
		g.Alarms[AlarmCorrupt] != 0 || g.Quota != testQuota || g.DBSize["solo"] < testQuota/2 {
		t.Fatalf("gauges under NOSPACE = %+v", g)
	}

	m.Stop()
	g, h = c.Poll(ctx)
	if h.ListErr == nil || len(h.Members) != 1 || h.Members[0].Answers() || h.Members[0].Endpoint != m.Endpoint {
		t.Fatalf("stopped member: list err %v, members %+v", h.ListErr, h.Members)
	}
	if !strings.Contains(h.Members[0].StatusErr.Error(), "connection refused") {
		t.Fatalf("status error %v, want connection refused", h.Members[0].StatusErr)
	}
	if g.Answering != 0 || g.HasLeader || len(g.CertExpiry) != 2 {
		t.Fatalf("gauges with the member down = %+v", g)
	}
}
func notAfter(t *testing.T, path string) time.Time {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert.NotAfter
}

func TestAlarmsFromStatus(t *testing.T) {
	st := func(errs ...string) *clientv3.StatusResponse { return &clientv3.StatusResponse{Errors: errs} }
	cases := []struct {
		name    string
		members []MemberHealth
		want    []Alarm
	}{
		{"none", []MemberHealth{{Status: st()}, {}}, nil},
		{"spacing varies", []MemberHealth{{Status: st("memberID:12  alarm:NOSPACE")}, {Status: st("memberID: 7 alarm: CORRUPT")}},
			[]Alarm{{7, AlarmCorrupt}, {12, AlarmNoSpace}}},
		{"same alarm seen by two members", []MemberHealth{{Status: st("memberID:5 alarm:NOSPACE")}, {Status: st("memberID:5 alarm:NOSPACE")}},
			[]Alarm{{5, AlarmNoSpace}}},
		{"other errors", []MemberHealth{{Status: st("raft: not healthy")}}, nil},
	}
	for _, tc := range cases {
		if got := alarmsFromStatus(tc.members); !slices.Equal(got, tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
