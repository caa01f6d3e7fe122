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

// drillRunner returns the scheduled restore drill: a deep verification of the newest backup at
// every destination, in turn (see verify.Drill), each writing its drill record there, so that check
// and retention see every destination verified. It returns the first destination's record; the
// error joins the failed drills. The private key is loaded here, so that a bad key fails the
// daemon's start rather than its first drill. Call it on an app with its destinations open.
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
	var opts []verify.Options
	for _, c := range a.cats {
		opts = append(opts, a.verifyOptions(c, id, nil))
	}
	var mu sync.Mutex // one drill at a time, and the rng is not safe for concurrent use
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	return func(ctx context.Context) (*catalog.Drill, error) {
		mu.Lock()
		defer mu.Unlock()
		var first *catalog.Drill
		var errs []error
		for i, o := range opts {
			d, err := verify.Drill(ctx, o, 0, rng)
			if i == 0 {
				first = d
			}
			errs = append(errs, err)
		}
		return first, errors.Join(errs...)
	}, nil
}
