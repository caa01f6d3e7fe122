package maintain

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Options configure Run and RemediateNoSpace. The zero value of each field takes the default given.
type Options struct {
	// Rule picks the members to defragment; the zero Rule is DefaultRule().
	Rule Rule
	// All defragments every member whatever the rule says.
	All bool
	// DryRun checks the preconditions and returns the plan with a reason per member; it changes
	// nothing and calls no hook.
	DryRun bool

	// BackupFirst takes a backup and verifies it before anything changes. An error stops the run
	// before any change. It is required unless NoBackup is set.
	BackupFirst func(ctx context.Context) error
	// NoBackup runs without BackupFirst. It must be asked for: maintenance without a backup is not
	// the default.
	NoBackup bool

	// Compact compacts to the current revision minus KeepRevisions (physically) before
	// defragmenting; the plan is then made again from fresh status. RemediateNoSpace always
	// compacts to the current revision.
	Compact       bool
	KeepRevisions int64

	// MaxRaftLag is the largest gap, in raft entries, between a member's applied index and the
	// highest (before) or the leader's (after a defragmentation) for it to count as in step. 100.
	MaxRaftLag uint64
	// DefragTimeout bounds one member's defragmentation call. 5 minutes.
	DefragTimeout time.Duration
	// RecoverTimeout bounds the wait for a member to answer and catch up after its defragmentation,
	// and for a leadership move. 1 minute.
	RecoverTimeout time.Duration
	// PollInterval is the pause between status polls while waiting. 100 ms.
	PollInterval time.Duration
	// AllowUnavailable accepts a cluster that cannot keep a quorum while one member is
	// defragmented: one voting member, or two. Writes stop for the duration of each
	// defragmentation. Such clusters are refused without it.
	AllowUnavailable bool

	// DisarmBelow is, for RemediateNoSpace, the fraction of its quota every member's db must be
	// below before the NOSPACE alarm is disarmed: 0.8, so that the cluster has room again and the
	// default rule's quota trigger is not already met.
	DisarmBelow float64
	// PrefixDepth and Prefixes shape the largest-prefix report when space cannot be won back:
	// path segments (2: /registry/events) and how many prefixes. 2 and 10.
	PrefixDepth, Prefixes int

	Logger *zap.Logger

	nospace     bool                  // a NOSPACE remediation: the NOSPACE alarm does not block the preconditions
	afterDefrag func(endpoint string) // tests: called when a defragmentation call returned
}

func (o *Options) defaults() {
	if o.Rule == (Rule{}) {
		o.Rule = DefaultRule()
	}
	if o.MaxRaftLag == 0 {
		o.MaxRaftLag = 100
	}
	if o.DefragTimeout <= 0 {
		o.DefragTimeout = 5 * time.Minute
	}
	if o.RecoverTimeout <= 0 {
		o.RecoverTimeout = time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	if o.DisarmBelow <= 0 || o.DisarmBelow > 1 {
		o.DisarmBelow = 0.8
	}
	if o.PrefixDepth <= 0 {
		o.PrefixDepth = 2
	}
	if o.Prefixes <= 0 {
		o.Prefixes = 10
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}
