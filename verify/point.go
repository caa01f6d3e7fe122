package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/replay"
)

// ErrNotRestorable is wrapped by RestorePoint's error when the point cannot be reached at the
// destination (nothing was written): another destination may reach it.
var ErrNotRestorable = errors.New("not restorable here")

// StepReplay is the step of a point-in-time restore that replays the journal.
const StepReplay = "replay"

// Point is the target of a point-in-time restore: one of a revision, the newest journaled
// revision, or a time (the last revision received at or before it).
type Point struct {
	Revision int64
	Latest   bool
	Time     time.Time
}

func (p Point) String() string {
	switch {
	case p.Latest:
		return "the newest journaled revision"
	case !p.Time.IsZero():
		return p.Time.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("revision %d", p.Revision)
}

// PointResult is what a point-in-time restore replayed.
type PointResult struct {
	Base       string    `json:"base_backup"`
	Target     int64     `json:"target_revision"`
	TargetTime time.Time `json:"target_time"` // when the journal received the target revision
	Segments   int       `json:"segments"`
	Revisions  int       `json:"revisions_replayed"`
	Events     int       `json:"events_replayed"`
	// Destination is where the journal and the base were read (redacted URL): every member restores
	// from the same one.
	Destination string `json:"destination"`
}

// RestorePoint restores ro.DataDir to the point p from the journal and the backups at o.Catalog's
// destination: the newest backup from which the journal reaches the target without a gap, verified,
// then every revision up to the target replayed into it, each as one transaction (package replay),
// so that revisions, versions and leases are the original ones; then the restore proper, with ro.
func RestorePoint(ctx context.Context, o Options, p Point, ro RestoreOptions) (*RestoreResult, error) {
	o.defaults()
	if err := ro.Validate(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := CheckEmpty(ro.DataDir); err != nil {
		return nil, err
	}
	j := journal.New(o.Catalog.Store, o.Catalog.Layout.Cluster)
	plan, at, err := planPoint(ctx, &o, j, p)
	if err != nil {
		return nil, fmt.Errorf("restore to %s at %s: %w (%w)", p, o.Catalog.Store, err, ErrNotRestorable)
	}
	m, err := o.Catalog.Get(ctx, plan.Base.ID)
	if err != nil {
		return nil, err
	}
	pr := &PointResult{Base: m.ID, Target: plan.Target, TargetTime: at, Destination: o.Catalog.Store.String()}
	res, err := restore(ctx, &o, m, ro, func(ctx context.Context, plain string, res *RestoreResult) error {
		t := time.Now()
		res.Point = pr
		keys, err := replayPlan(ctx, &o, j, plan, plain, pr)
		if err != nil {
			return err
		}
		res.Revision, res.TotalKeys = plan.Target, keys
		step(res.Steps, StepReplay, t)
		return nil
	})
	if res != nil && res.BumpRevision > 0 {
		res.Revision = plan.Target + int64(res.BumpRevision)
	}
	return res, wrap(err, "restore", &o, m)
}

// planPoint resolves p to a revision and plans its restore.
func planPoint(ctx context.Context, o *Options, j *journal.Journal, p Point) (*journal.Plan, time.Time, error) {
	l, err := j.List(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	ms, _, err := o.Catalog.Manifests(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	var bases []journal.Base
	for _, m := range ms {
		if b, err := journal.BaseOf(m); err == nil {
			bases = append(bases, b)
		}
	}
	target, at := p.Revision, time.Time{}
	switch {
	case p.Latest:
		runs := journal.Runs(l.Segments)
		if len(runs) == 0 {
			return nil, time.Time{}, errors.New("the journal is empty")
		}
		target = runs[len(runs)-1].Last
	case !p.Time.IsZero():
		// The runs' segments: sorted by time too, without the ones another writer's hold entirely.
		var segs []journal.Segment
		for _, r := range journal.Runs(l.Segments) {
			segs = append(segs, r.Segments...)
		}
		if target, at, err = j.RevisionAt(ctx, segs, p.Time, o.Identity); err != nil {
			return nil, time.Time{}, err
		}
	}
	plan, err := journal.PlanFor(l.Segments, bases, target)
	return plan, at, err
}

// errTarget stops a segment's walk at the target revision.
var errTarget = errors.New("target reached")

// replayPlan replays the plan's segments into the plain snapshot, up to the target, and returns the
// number of keys it then holds.
func replayPlan(ctx context.Context, o *Options, j *journal.Journal, plan *journal.Plan, plain string, pr *PointResult) (int, error) {
	db, err := replay.Open(plain, replay.Options{Logger: quiet(o.Logger, "replay")})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if db.Rev() > plan.Target {
		return 0, fmt.Errorf("backup %s holds revision %d, after the target %d", plan.Base.ID, db.Rev(), plan.Target)
	}
	for _, s := range plan.Segments {
		if db.Rev() >= plan.Target {
			break
		}
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			return 0, err
		}
		pr.Segments++
		err = j.Read(ctx, m, o.Identity, func(r *journal.Revision) error {
			if r.Rev > plan.Target {
				return errTarget
			}
			applied, err := db.Apply(r.Rev, r.Events)
			if applied {
				pr.Revisions++
				pr.Events += len(r.Events)
				pr.TargetTime = r.Time
			}
			return err
		})
		if err != nil && !errors.Is(err, errTarget) {
			return 0, fmt.Errorf("replay: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
	if db.Rev() != plan.Target {
		return 0, fmt.Errorf("replay reached revision %d, not the target %d: the journal is missing revisions", db.Rev(), plan.Target)
	}
	keys, err := db.Keys(ctx)
	if err != nil {
		return 0, err
	}
	return keys, db.Close()
}
