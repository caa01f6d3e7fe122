package etcdtest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// clusterReadyTimeout bounds how long a whole cluster may take to answer.
const clusterReadyTimeout = 60 * time.Second

// Cluster is a set of real etcd processes forming one cluster on loopback,
// with client and peer TLS from PKI and client certificate auth on.
type Cluster struct {
	Members []*Proc
	PKI     *PKI
}

// ProcSpec names one member to start on an existing data dir.
type ProcSpec struct {
	Name    string
	DataDir string
	PeerURL string // https://127.0.0.1:port, served with the PKI's server certificate
}

// StartCluster starts n etcd processes from <repo>/.tools/bin/etcd (or PATH)
// as a new TLS cluster and waits until every member answers a linearizable
// read. extraArgs are appended to each member's flags, so they override ours.
// The processes are stopped on cleanup; their logs are printed if the test fails.
func StartCluster(t testing.TB, n int, extraArgs ...string) *Cluster {
	t.Helper()
	pki := NewPKI(t)
	specs := make([]ProcSpec, n)
	for i := range specs {
		name := fmt.Sprintf("m%d", i)
		specs[i] = ProcSpec{
			Name:    name,
			DataDir: filepath.Join(t.TempDir(), name+".etcd"),
			PeerURL: loopbackURL(true, FreePort(t)),
		}
	}
	return StartProcs(t, pki, specs, extraArgs...)
}

// StartProcs starts one etcd process per spec, on data dirs that may already
// exist (restored ones keep their membership), each with the name and peer URL
// given and a free client port, then waits until every member is ready.
func StartProcs(t testing.TB, pki *PKI, members []ProcSpec, extraArgs ...string) *Cluster {
	t.Helper()
	bin := testgate.Require(t, "etcd")
	peers := make([]string, len(members))
	for i, m := range members {
		peers[i] = m.Name + "=" + m.PeerURL
	}
	initial := strings.Join(peers, ",")
	c := &Cluster{PKI: pki}
	logDir := t.TempDir()
	for _, spec := range members {
		p := &Proc{
			Name:     spec.Name,
			Endpoint: loopbackURL(true, FreePort(t)),
			PeerURL:  spec.PeerURL,
			DataDir:  spec.DataDir,
			bin:      bin,
			pki:      pki,
			logPath:  filepath.Join(logDir, spec.Name+".log"),
		}
		p.args = append(procArgs(p, pki, initial), extraArgs...)
		logOnFailure(t, p.logPath)
		c.Members = append(c.Members, p)
	}
	t.Cleanup(c.Stop)
	for _, p := range c.Members {
		p.Start(t)
	}
	c.WaitReady(t)
	return c
}

// procArgs returns the etcd flags for one member.
func procArgs(p *Proc, pki *PKI, initialCluster string) []string {
	return []string{
		"--name=" + p.Name,
		"--data-dir=" + p.DataDir,
		"--listen-client-urls=" + p.Endpoint,
		"--advertise-client-urls=" + p.Endpoint,
		"--listen-peer-urls=" + p.PeerURL,
		"--initial-advertise-peer-urls=" + p.PeerURL,
		"--initial-cluster=" + initialCluster,
		"--initial-cluster-token=etcdtest",
		"--initial-cluster-state=new",
		"--cert-file=" + pki.ServerCert,
		"--key-file=" + pki.ServerKey,
		"--trusted-ca-file=" + pki.CACert,
		"--client-cert-auth",
		"--peer-cert-file=" + pki.ServerCert,
		"--peer-key-file=" + pki.ServerKey,
		"--peer-trusted-ca-file=" + pki.CACert,
		"--peer-client-cert-auth",
	}
}

// Endpoints returns the client URLs of all members.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.Members))
	for i, p := range c.Members {
		eps[i] = p.Endpoint
	}
	return eps
}

// Client returns a client for all members with the PKI's client certificate.
// It is closed on cleanup.
func (c *Cluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, c.PKI, c.Endpoints()...)
}

// WaitReady waits until every member answers a linearizable read.
func (c *Cluster) WaitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(clusterReadyTimeout)
	for _, p := range c.Members {
		p.waitReady(t, deadline)
	}
}

// Stop stops every member.
func (c *Cluster) Stop() {
	for _, p := range c.Members {
		p.Stop()
	}
}
