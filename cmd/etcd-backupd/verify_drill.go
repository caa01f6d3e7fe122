package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// drillRunner returns the scheduled restore drill: a deep verification of the newest backup at the
// first destination, and of a random older one every fourth drill (see verify.Drill). It writes the
// drill record and returns it; the error is non-nil when the drill failed. The private key is loaded
// here, so that a bad key fails the daemon's start rather than its first drill. Call it after
// openStores.
func (a *app) drillRunner() (func(ctx context.Context) (*catalog.Drill, error), error) {
	if len(a.cats) == 0 {
		return nil, errors.New("drill: no destination open")
	}
	var id *crypto.Identity
	if a.cfg.Encryption.PrivateKey != "" {
		var err error
		if id, err = a.cfg.Identity(); err != nil {
			return nil, err
		}
	}
	o := a.verifyOptions(a.cats[0], id, nil)
	var mu sync.Mutex // one drill at a time, and the rng is not safe for concurrent use
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	return func(ctx context.Context) (*catalog.Drill, error) {
		mu.Lock()
		defer mu.Unlock()
		return verify.Drill(ctx, o, 0, rng)
	}, nil
}
