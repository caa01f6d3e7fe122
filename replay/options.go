package replay

import (
	"fmt"

	"go.etcd.io/etcd/server/v3/lease"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// DefaultLeaseTTL is the TTL, in seconds, given to a lease that the base backup does not hold. It is
// the longest lease Kubernetes commonly uses (events, --event-ttl 1h): a key restored with it lives
// at least as long as it could have in the original, and the controllers that own shorter leases
// re-create theirs after a restore anyway.
const DefaultLeaseTTL = 3600

// Options tune Open.
type Options struct {
	Logger *zap.Logger // nil: nop
	// LeaseTTL is the TTL in seconds given to a lease that a replayed key is attached to but that the
	// database does not hold (granted after the base backup: watch events carry no TTL).
	// 0: DefaultLeaseTTL.
	LeaseTTL int64
}

// withDefaults fills the zero fields and checks the others.
func (o Options) withDefaults() (Options, error) {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	// etcd's code reports a broken database with Fatal, which would end the process: panic instead,
	// and Open turns the panic into an error.
	o.Logger = o.Logger.Named("replay").WithOptions(zap.WithFatalHook(zapcore.WriteThenPanic))
	if o.LeaseTTL == 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.LeaseTTL < 0 || o.LeaseTTL > lease.MaxLeaseTTL {
		return o, fmt.Errorf("lease TTL %d: want 1 to %d seconds", o.LeaseTTL, int64(lease.MaxLeaseTTL))
	}
	return o, nil
}
