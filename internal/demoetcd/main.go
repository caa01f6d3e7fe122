// Command demoetcd runs an embedded etcd with client TLS and sample Kubernetes-like keys, for `make demo`.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
	"go.uber.org/zap/zapcore"

	"github.com/etcd-backupd/etcd-backupd/internal/k8sdata"
)

func main() {
	dir := flag.String("dir", "", "data dir")
	pki := flag.String("pki", "", "dir with ca.crt, server.crt and server.key")
	client := flag.String("client-url", "https://127.0.0.1:32379", "client URL")
	peer := flag.String("peer-url", "http://127.0.0.1:32380", "peer URL")
	keys := flag.Int("keys", 5000, "sample keys to write")
	size := flag.Int("value-size", 1024, "approximate value size")
	flag.Parse()
	if err := run(*dir, *pki, *client, *peer, *keys, *size); err != nil {
		fmt.Fprintln(os.Stderr, "demoetcd:", err)
		os.Exit(1)
	}
}

func run(dir, pki, client, peer string, keys, size int) error {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = zapcore.ErrorLevel.String()
	cu, _ := url.Parse(client)
	pu, _ := url.Parse(peer)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.Name + "=" + peer
	cfg.ClientTLSInfo.CertFile = filepath.Join(pki, "server.crt")
	cfg.ClientTLSInfo.KeyFile = filepath.Join(pki, "server.key")
	cfg.ClientTLSInfo.TrustedCAFile = filepath.Join(pki, "ca.crt")
	cfg.ClientTLSInfo.ClientCertAuth = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		return fmt.Errorf("etcd not ready after 30s")
	}
	c := v3client.New(e.Server)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if _, err := k8sdata.Load(ctx, c, keys, size, 1); err != nil {
		return err
	}
	fmt.Printf("demoetcd: serving %d keys at %s (mTLS)\n", keys, client)
	<-ctx.Done()
	return nil
}
