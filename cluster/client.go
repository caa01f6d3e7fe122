package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Options configure the etcd client.
type Options struct {
	Endpoints    []string
	CACert       string // PEM CA bundle; "" uses the system roots
	Cert, Key    string // client certificate and key for mTLS
	Username     string
	Password     string // never logged
	DialTimeout  time.Duration
	SnapshotFrom string // follower | leader | any
}

// Client is a connection to an etcd cluster.
type Client struct {
	opts Options
	tls  *tls.Config
	lg   *zap.Logger
	cli  *clientv3.Client
}

// New builds a client for opts. It does not block on the network.
func New(opts Options, lg *zap.Logger) (*Client, error) {
	if lg == nil {
		lg = zap.NewNop()
	}
	if len(opts.Endpoints) == 0 {
		return nil, fmt.Errorf("etcd.endpoints: none given")
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 5 * time.Second
	}
	tc, err := TLSConfig(opts.CACert, opts.Cert, opts.Key)
	if err != nil {
		return nil, &FilesError{err}
	}
	c := &Client{opts: opts, tls: tc, lg: lg.Named("etcd")}
	c.cli, err = c.dial(opts.Endpoints)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FilesError is a CA, certificate or key file that cannot be used, found before anything is dialled:
// the operator's to fix, not a failure to talk to etcd.
type FilesError struct{ Err error }

func (e *FilesError) Error() string { return e.Err.Error() }
func (e *FilesError) Unwrap() error { return e.Err }

// TLSConfig loads the CA and the client key pair. An empty CA, cert and key give nil (plain connections).
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	if caFile == "" && certFile == "" && keyFile == "" {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read etcd CA %s: %w", caFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read etcd CA %s: no PEM certificate found", caFile)
		}
		tc.RootCAs = pool
	}
	if certFile != "" || keyFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("load etcd client certificate %s and key %s: %w", certFile, keyFile, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return tc, nil
}

func (c *Client) dial(endpoints []string) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:           endpoints,
		TLS:                 c.tls,
		Username:            c.opts.Username,
		Password:            c.opts.Password,
		DialTimeout:         c.opts.DialTimeout,
		DialKeepAliveTime:   30 * time.Second,
		PermitWithoutStream: true,
		Logger:              c.lg.WithOptions(zap.IncreaseLevel(zap.ErrorLevel)),
		MaxCallRecvMsgSize:  64 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to etcd %v: %w", endpoints, err)
	}
	return cli, nil
}

// Etcd returns the underlying client over all configured endpoints.
func (c *Client) Etcd() *clientv3.Client { return c.cli }

// Endpoints returns the configured endpoints.
func (c *Client) Endpoints() []string { return c.opts.Endpoints }

// Close closes the connections.
func (c *Client) Close() error { return c.cli.Close() }

// timeout returns a context bounded by the dial timeout.
func (c *Client) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.DialTimeout)
}
