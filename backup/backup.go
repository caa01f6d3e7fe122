package backup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/kit"
	"github.com/etcd-backupd/etcd-backupd/spool"
)

// Source is the etcd side of a backup.
type Source interface {
	Members(ctx context.Context) ([]cluster.Member, error)
	Snapshot(ctx context.Context, m cluster.Member) (*cluster.Snapshot, error)
}

// Options configure one backup.
type Options struct {
	Cluster          string
	SpoolDir         string
	Compression      string             // "zstd" or "none"
	CompressionLevel string             // zstd level: fastest | default | better | best; empty means fastest
	Recipients       *crypto.Recipients // nil stores plaintext
	Destinations     []*catalog.Catalog
	SnapshotFrom     string        // follower | leader | any
	SnapshotTimeout  time.Duration // bounds the whole backup; 0 means none
	// Retries is how many times a failed upload is tried again from the spool file, waiting
	// RetryBackoff, then twice as long each time. The snapshot is not taken again.
	Retries      int
	RetryBackoff time.Duration
	ToolVersion  string
	// Kit, when set, collects the restore kit on this node and stores it with the backup.
	Kit    *kit.Options
	Logger *zap.Logger
	Now    func() time.Time
}

// Result tells what one backup did at each destination.
type Result struct {
	Manifest *catalog.Manifest // nil when nothing was committed
	Dests    []DestResult
	KitErr   error // the restore kit could not be collected: the backup was committed without it
}

// DestResult is the outcome at one destination.
type DestResult struct {
	URL   string // redacted
	Bytes int64  // stored bytes committed; 0 on failure
	Err   error
}

// Err is nil only when every destination committed the backup.
func (r *Result) Err() error {
	var errs []error
	for _, d := range r.Dests {
		errs = append(errs, d.Err)
	}
	return errors.Join(append(errs, r.KitErr)...)
}

// Run takes one backup. It returns an error when no destination committed it; a backup committed at
// only some destinations returns a Result whose Err names the others.
func Run(ctx context.Context, src Source, o Options) (*Result, error) {
	o.defaults()
	if len(o.Destinations) == 0 {
		return nil, errors.New("backup: no destination")
	}
	if o.SnapshotTimeout > 0 {
		var cancel context.CancelFunc
		// The cause names the limit, where ctx.Err() would only say "context deadline exceeded".
		ctx, cancel = context.WithTimeoutCause(ctx, o.SnapshotTimeout,
			fmt.Errorf("backup: snapshot_timeout %s exceeded: %w", o.SnapshotTimeout, context.DeadlineExceeded))
		defer cancel()
	}
	sp, removed, err := spool.Open(o.SpoolDir)
	if err != nil {
		return nil, err
	}
	defer sp.Close()
	for _, f := range removed {
		o.Logger.Warn("removed spool leftover", zap.String("file", f.Path))
	}
	members, err := src.Members(ctx)
	logAlarms(o.Logger, members)
	candidates := cluster.Candidates(members, o.SnapshotFrom)
	if len(candidates) == 0 {
		if len(members) > 0 || err == nil {
			err = cluster.Unhealthy(members) // "no member to snapshot" for none
		}
		return nil, err
	}
	var errs []error
	for _, m := range candidates {
		res, err := (&attempt{o: o, src: src, spool: sp, member: m}).run(ctx)
		if err == nil || !isSource(err) || ctx.Err() != nil {
			return res, err
		}
		o.Logger.Warn("snapshot failed; trying the next member", zap.String("endpoint", m.Endpoint), zap.Error(err))
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 2 * time.Second
	}
	if o.Compression == "" {
		o.Compression = catalog.CompressionZstd
	}
}

// logAlarms says which members have an alarm raised: a snapshot is a read, and is taken under
// NOSPACE all the same, but the operator must know.
func logAlarms(lg *zap.Logger, members []cluster.Member) {
	seen := map[cluster.Alarm]bool{} // every member reports every member's alarms
	for _, m := range members {
		for _, a := range m.Alarms() {
			if !seen[a] {
				seen[a] = true
				lg.Warn("etcd alarm raised; the snapshot is taken all the same", zap.String("alarm", a.Type),
					zap.String("member", fmt.Sprintf("%x", a.MemberID)))
			}
		}
	}
}
