package cluster

import (
	"context"
	"errors"
	"fmt"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Status asks the member at endpoint alone for its status, bounded by the dial timeout.
func (c *Client) Status(ctx context.Context, endpoint string) (*clientv3.StatusResponse, error) {
	sctx, cancel := c.timeout(ctx)
	defer cancel()
	st, err := c.cli.Status(sctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", endpoint, err)
	}
	return st, nil
}

// Defragment defragments the member at endpoint. The member serves nothing until it returns, so
// ctx alone bounds it: a large database takes longer than the dial timeout.
func (c *Client) Defragment(ctx context.Context, endpoint string) error {
	if _, err := c.cli.Defragment(ctx, endpoint); err != nil {
		// The call waits for a connection until ctx ends: say why there was none.
		if derr := c.diagnose(context.WithoutCancel(ctx), endpoint); derr != nil {
			err = fmt.Errorf("%w (%w)", err, derr)
		}
		return fmt.Errorf("defragment %s: %w", endpoint, err)
	}
	return nil
}

// MoveLeader asks the leader at leaderEndpoint to hand leadership to member to. etcd takes the
// request only from the current leader, so it goes to that endpoint alone, not through the balancer.
// It returns once to leads.
func (c *Client) MoveLeader(ctx context.Context, leaderEndpoint string, to uint64) error {
	cli, err := c.dial([]string{leaderEndpoint})
	if err != nil {
		return fmt.Errorf("move leadership from %s: %w", leaderEndpoint, err)
	}
	defer cli.Close()
	if _, err := cli.MoveLeader(ctx, to); err != nil {
		return fmt.Errorf("move leadership from %s to %x: %w", leaderEndpoint, to, err)
	}
	return nil
}

// ErrCompacted is returned by Compact when rev is at or below the revision already compacted.
var ErrCompacted = rpctypes.ErrCompacted

// Compact compacts the key space up to rev and waits until the compaction is physically applied on
// the member that answered, so that its free pages exist before a defragmentation.
func (c *Client) Compact(ctx context.Context, rev int64) error {
	if _, err := c.cli.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		if errors.Is(err, rpctypes.ErrCompacted) {
			return fmt.Errorf("compact to revision %d: %w", rev, ErrCompacted)
		}
		return fmt.Errorf("compact to revision %d: %w", rev, err)
	}
	return nil
}

// Revision returns the cluster's current revision, from a linearizable read.
func (c *Client) Revision(ctx context.Context) (int64, error) {
	rctx, cancel := c.timeout(ctx)
	defer cancel()
	resp, err := c.cli.Get(rctx, healthKey, clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("read the current revision from %v: %w", c.opts.Endpoints, err)
	}
	return resp.Header.Revision, nil
}

// DisarmNoSpace disarms every NOSPACE alarm and returns the members it was disarmed for.
func (c *Client) DisarmNoSpace(ctx context.Context) ([]uint64, error) {
	alarms, err := c.alarms(ctx)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, a := range alarms {
		if a.Type != AlarmNoSpace {
			continue
		}
		actx, cancel := c.timeout(ctx)
		_, err := c.cli.AlarmDisarm(actx, &clientv3.AlarmMember{MemberID: a.MemberID, Alarm: pb.AlarmType_NOSPACE})
		cancel()
		if err != nil {
			return ids, fmt.Errorf("disarm NOSPACE for member %x: %w", a.MemberID, err)
		}
		ids = append(ids, a.MemberID)
	}
	return ids, nil
}
