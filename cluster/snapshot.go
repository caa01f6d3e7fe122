package cluster

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/zap"
)

// Snapshot is an open snapshot stream from one member. Reading it to EOF checks the sha256 trailer.
type Snapshot struct {
	Endpoint      string
	MemberID      uint64
	ClusterID     uint64
	ServerVersion string
	*TrailerReader
	closers []io.Closer
}

// Close ends the stream and its connection.
func (s *Snapshot) Close() error {
	var first error
	for _, c := range s.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Snapshot opens a snapshot stream from member m alone. Cancel ctx to abort it.
func (c *Client) Snapshot(ctx context.Context, m Member) (*Snapshot, error) {
	cli, err := c.dial([]string{m.Endpoint})
	if err != nil {
		return nil, fmt.Errorf("snapshot from %s: %w", m.Endpoint, err)
	}
	// The stream waits for a connection forever; check that the member answers first.
	tctx, cancel := c.timeout(ctx)
	_, err = cli.Status(tctx, m.Endpoint)
	cancel()
	if err != nil {
		cli.Close()
		if derr := c.diagnose(ctx, m.Endpoint); derr != nil {
			err = derr
		}
		return nil, fmt.Errorf("snapshot from %s: %w", m.Endpoint, err)
	}
	resp, err := cli.SnapshotWithVersion(ctx)
	if err != nil {
		cli.Close()
		return nil, fmt.Errorf("snapshot from %s: %w", m.Endpoint, err)
	}
	s := &Snapshot{
		Endpoint:      m.Endpoint,
		MemberID:      m.ID,
		ServerVersion: resp.Version,
		TrailerReader: NewTrailerReader(resp.Snapshot),
		closers:       []io.Closer{resp.Snapshot, cli},
	}
	if m.Status != nil {
		if m.Status.Header != nil {
			s.ClusterID = m.Status.Header.ClusterId
		}
		if s.ServerVersion == "" {
			s.ServerVersion = m.Status.Version
		}
	}
	c.lg.Info("snapshot stream opened", zap.String("endpoint", m.Endpoint), zap.String("member", m.Name))
	return s, nil
}
