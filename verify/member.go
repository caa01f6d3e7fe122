package verify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const (
	registryPrefix = "/registry/"
	// drillPeerURL is the peer URL a drill member is restored with and listens on: port 0 gives a
	// random free port, with no race between choosing it and binding it.
	drillPeerURL = "http://127.0.0.1:0"
)

// member is an embedded etcd serving a restored data dir, read through an in-process client.
type member struct {
	e     *embed.Etcd
	c     *clientv3.Client
	level zap.AtomicLevel
}

// memberConfig is the config of a member on dataDir with the name and peer URL it was restored with.
// Its client listener is a unix socket in sockDir, so that no other local user can read the
// restored data; the member is read through an in-process client. The logger passes errors only,
// and nothing once level is raised at Close: the listeners report their own shutdown as errors.
func memberConfig(lg *zap.Logger, dataDir, name, peerURL, sockDir string) (*embed.Config, zap.AtomicLevel, error) {
	level := zap.NewAtomicLevelAt(zapcore.ErrorLevel)
	peer, err := url.Parse(peerURL)
	if err != nil {
		return nil, level, fmt.Errorf("peer URL %q: %w", peerURL, err)
	}
	client := url.URL{Scheme: "unix", Path: filepath.Join(sockDir, "client.sock")}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = name, dataDir
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.InitialCluster = name + "=" + peerURL
	elg := lg.Named("etcd")
	if elg.Core().Enabled(zapcore.ErrorLevel) {
		elg = elg.WithOptions(zap.IncreaseLevel(level))
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(elg)
	return cfg, level, nil
}

// throwaway tunes a member that lives only for one drill.
func throwaway(cfg *embed.Config) {
	cfg.UnsafeNoFsync = true             // its data is removed right after
	cfg.TickMs, cfg.ElectionMs = 10, 100 // alone on loopback: elect itself at once
}

// startMember starts the member and waits until it serves.
func startMember(ctx context.Context, cfg *embed.Config, level zap.AtomicLevel) (*member, error) {
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("start etcd on %s: %w", cfg.Dir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err = <-e.Err():
	case <-e.Server.StopNotify():
		err = errors.New("stopped before it was ready")
	case <-ctx.Done():
		err = ctx.Err()
	}
	m := &member{e: e, level: level}
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("start etcd on %s: %w", cfg.Dir, err)
	}
	m.c = v3client.New(e.Server)
	return m, nil
}

// Close stops the member.
func (m *member) Close() {
	m.level.SetLevel(zapcore.FatalLevel)
	if m.c != nil {
		m.c.Close()
	}
	m.e.Close()
}

// survey is what a served member shows of its data.
type survey struct {
	Revision  int64
	Keys      int64
	Resources map[string]int64 // keys per Kubernetes resource
}

// survey reads the revision, the number of keys and the keys per resource under /registry/, all at
// one revision.
func (m *member) survey(ctx context.Context) (survey, error) {
	var s survey
	resp, err := m.c.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithCountOnly())
	if err != nil {
		return s, fmt.Errorf("count keys: %w", err)
	}
	s.Revision, s.Keys = resp.Header.Revision, resp.Count
	s.Resources, err = countResources(ctx, m.c, s.Revision)
	return s, err
}
