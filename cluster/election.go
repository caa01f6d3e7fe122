package cluster

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"
)

// ElectionOptions configure leader election between the daemons of one cluster.
type ElectionOptions struct {
	Key      string        // election prefix, e.g. /etcd-backupd/prod-eu1/leader
	TTL      time.Duration // session lease TTL; a leader that stops refreshing it loses leadership
	Identity string        // the value campaigned with, e.g. the host name
	Retry    time.Duration // pause after a failed session or campaign
	// OnChange is called with true when this daemon becomes the leader and false when it stops being one.
	OnChange func(leader bool)
}

// Lead campaigns until ctx is cancelled. While this daemon leads it runs lead with a context that is
// cancelled as soon as leadership is lost (the session lease expired, for example when the member is
// partitioned). When ctx is cancelled, a leader resigns at once, so another daemon takes over without
// waiting for the TTL.
func (c *Client) Lead(ctx context.Context, o ElectionOptions, lead func(leadCtx context.Context)) {
	if o.Retry <= 0 {
		o.Retry = 2 * time.Second
	}
	lg := c.lg.Named("election").With(zap.String("key", o.Key), zap.String("identity", o.Identity))
	for ctx.Err() == nil {
		err := c.leadOnce(ctx, o, lg, lead)
		if err != nil && ctx.Err() == nil {
			lg.Error("cannot take part in the election; no backups are scheduled by this daemon", zap.Error(err))
		}
		select {
		case <-ctx.Done():
		case <-time.After(o.Retry):
		}
	}
}

// leadOnce runs one session: campaign, lead until the session ends, resign.
func (c *Client) leadOnce(ctx context.Context, o ElectionOptions, lg *zap.Logger, lead func(context.Context)) error {
	// Grant the lease with a timeout: without quorum a grant blocks forever.
	gctx, cancel := c.timeout(ctx)
	lease, err := c.cli.Grant(gctx, int64(o.TTL.Seconds()))
	cancel()
	if err != nil {
		return fmt.Errorf("grant election lease (etcd may have lost quorum): %w", err)
	}
	// The session outlives ctx so that a stopping leader can still resign.
	sctx, cancelSession := context.WithCancel(context.Background())
	defer cancelSession()
	s, err := concurrency.NewSession(c.cli, concurrency.WithLease(lease.ID), concurrency.WithContext(sctx))
	if err != nil {
		return fmt.Errorf("open election session: %w", err)
	}
	defer s.Close()
	e := concurrency.NewElection(s, o.Key)
	cctx, stopCampaign := context.WithCancel(ctx)
	defer stopCampaign()
	go func() {
		select {
		case <-s.Done():
			stopCampaign()
		case <-cctx.Done():
		}
	}()
	if err := e.Campaign(cctx, o.Identity); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("campaign: %w", err)
	}
	lg.Info("elected leader: this daemon runs the scheduled jobs")
	o.OnChange(true)
	go c.confirm(cctx, stopCampaign, e.Key(), s.Lease(), o.TTL, lg)
	lead(cctx)
	o.OnChange(false)
	select {
	case <-s.Done():
		lg.Warn("leadership lost: the election session expired")
		return nil
	default:
	}
	rctx, cancelResign := context.WithTimeout(context.Background(), c.opts.DialTimeout)
	defer cancelResign()
	if err := e.Resign(rctx); err != nil {
		lg.Warn("resign", zap.Error(err))
	}
	lg.Info("resigned leadership")
	return nil
}

// confirm reads the election key every TTL/3 with a linearizable read and gives up leadership (calls
// stop) when it could not do so for a whole TTL: by then the lease may have expired on the server and
// another daemon may lead. The client's own keepalive can take much longer to notice.
func (c *Client) confirm(ctx context.Context, stop context.CancelFunc, key string, lease clientv3.LeaseID, ttl time.Duration, lg *zap.Logger) {
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rctx, cancel := context.WithTimeout(ctx, ttl/3)
		resp, err := c.cli.Get(rctx, key)
		cancel()
		if err == nil && len(resp.Kvs) == 1 && resp.Kvs[0].Lease == int64(lease) {
			last = time.Now()
			continue
		}
		if err == nil {
			// The lease expired on the server: another daemon may lead already.
			lg.Error("leadership lost: the election key is gone; stopping the scheduled jobs", zap.String("key", key))
			stop()
			return
		}
		if time.Since(last) >= ttl {
			lg.Error("leadership lost: cannot confirm it (etcd unreachable or without quorum); stopping the scheduled jobs", zap.Error(err))
			stop()
			return
		}
	}
}
