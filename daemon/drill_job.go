package daemon

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/memlimit"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// DrillJob is the scheduled restore drill. Its policy: at every destination in turn, pick a backup
// as verify.Drill does (the newest, or now and then an older one) and verify it deeply, writing the
// drill record there, so that check and retention see every copy tested. One drill runs at a time.
type DrillJob struct {
	metrics *Metrics
	alerts  *alerter
	leading func() bool
	drill   func(ctx context.Context) (*catalog.Drill, error)
}

func newDrillJob(c Config, d Deps, m *Metrics, a *alerter) *DrillJob {
	journal := c.Journal != nil
	var opts []verify.Options
	for _, cat := range d.Destinations.All() {
		o := c.Drill
		o.Catalog = cat
		o.Logger = d.Logger.Named("verify")
		opts = append(opts, o)
	}
	var mu sync.Mutex // one drill at a time, and the rng is not safe for concurrent use
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	return &DrillJob{metrics: m, alerts: a, drill: func(ctx context.Context) (*catalog.Drill, error) {
		mu.Lock()
		defer mu.Unlock()
		return drillEach(ctx, opts, rng, journal)
	}}
}

// drillEach drills at every destination and returns the first destination's record; the error
// joins the failed drills. With the journal on, each destination's journal is verified too, and
// replayed from a backup to the next one (verify.VerifyJournal, deep).
func drillEach(ctx context.Context, opts []verify.Options, rng *rand.Rand, journal bool) (*catalog.Drill, error) {
	if len(opts) == 0 {
		return nil, errors.New("drill: no destination")
	}
	var first *catalog.Drill
	var errs []error
	for i, o := range opts {
		d, err := verify.Drill(ctx, o, 0, rng)
		if i == 0 {
			first = d
		}
		errs = append(errs, err)
		if journal {
			if _, err := verify.VerifyJournal(ctx, o, true); err != nil && !errors.Is(err, verify.ErrNothingToReplay) {
				errs = append(errs, err)
			}
		}
	}
	return first, errors.Join(errs...)
}

// Run runs one drill and records its metrics; a daemon that does not lead skips it. A failed
// drill is logged at error level by the scheduler.
func (j *DrillJob) Run(ctx context.Context) error {
	defer memlimit.Hold(memlimit.None)()
	if j.leading != nil && !j.leading() {
		return nil
	}
	d, err := j.drill(ctx)
	id := ""
	if d != nil {
		id = d.BackupID
	}
	if err != nil {
		j.metrics.Verifies.WithLabelValues("failure").Inc()
	} else {
		j.metrics.Verifies.WithLabelValues("success").Inc()
		j.metrics.VerifyLastSuccess.Set(float64(time.Now().Unix()))
	}
	j.alerts.result("drill", id, err)
	return err
}
