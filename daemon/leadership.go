package daemon

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// HA configures leader election between the daemons of one cluster.
type HA struct {
	Prefix string        // etcd key prefix, starting and ending with '/'
	TTL    time.Duration // session lease TTL
}

// LeaderKey is the election key of cluster's daemons: <prefix><cluster>/leader, so that the daemons
// of several clusters backed up from one etcd never share an election.
func LeaderKey(prefix, cluster string) string { return prefix + cluster + "/leader" }

// identity is what a daemon campaigns with: its host and process, for the operator who reads the key.
func identity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// leadership runs the jobs only while this daemon leads, and tells the jobs and the metrics whether
// it does.
type leadership struct {
	etcd    *cluster.Client
	opts    cluster.ElectionOptions
	leading atomic.Bool
}

func newLeadership(etcd *cluster.Client, ha HA, clusterName string, m *Metrics) *leadership {
	l := &leadership{etcd: etcd}
	l.opts = cluster.ElectionOptions{
		Key:      LeaderKey(ha.Prefix, clusterName),
		TTL:      ha.TTL,
		Identity: identity(),
		OnChange: func(lead bool) {
			l.leading.Store(lead)
			m.LeaderChanges.Inc()
			m.Leader.Set(b2f(lead))
		},
	}
	return l
}

// elect is Options.Elect.
func (l *leadership) elect(ctx context.Context, lead func(context.Context)) {
	l.etcd.Lead(ctx, l.opts, lead)
}
