package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// healthKey is the key read to prove that a member serves linearizable reads, as etcdctl endpoint health does.
const healthKey = "health"

// probeMember fills in the status, the read and the server certificate of one member. The status
// comes through the shared client; the read, when asked for, through a client that talks to that
// member alone (and so authenticates again).
func (c *Client) probeMember(ctx context.Context, m *MemberHealth, o HealthOptions) {
	if o.ServerCerts {
		if u, err := url.Parse(m.Endpoint); err == nil && u.Scheme == "https" {
			m.ServerCert = c.serverCert(ctx, m)
		}
	}
	sctx, cancel := c.timeout(ctx)
	m.Status, m.StatusErr = c.cli.Status(sctx, m.Endpoint)
	cancel()
	if m.StatusErr != nil {
		if derr := c.diagnose(ctx, m.Endpoint); derr != nil {
			m.StatusErr = derr
		}
		m.StatusErr = fmt.Errorf("status of %s: %w", m.Endpoint, m.StatusErr)
		return
	}
	if m.Status.Header != nil && m.ID == 0 {
		m.ID = m.Status.Header.MemberId
	}
	if !o.Read {
		return
	}
	cli, err := c.dial([]string{m.Endpoint})
	if err != nil {
		m.ReadErr = err
		return
	}
	defer cli.Close()
	rctx, cancel := c.timeout(ctx)
	defer cancel()
	start := time.Now()
	_, err = cli.Get(rctx, healthKey)
	m.ReadTook = time.Since(start)
	if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		// A user without read access to the key still proves the member serves reads.
		m.ReadErr = fmt.Errorf("linearizable read through %s: %w", m.Endpoint, err)
	}
}
