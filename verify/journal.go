package verify

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/journal"
	"github.com/etcd-backupd/etcd-backupd/replay"
)

// JournalReport is the verdict on the journal at one destination.
type JournalReport struct {
	Destination string         `json:"destination"`
	Segments    int            `json:"segments"`
	Decoded     bool           `json:"decoded"` // every segment decrypted and its events checked, not only its stored sum
	Gaps        []journal.Gap  `json:"gaps"`
	Deep        *JournalReplay `json:"deep,omitempty"`
	Seconds     float64        `json:"seconds"`
}

// JournalReplay is what a deep verification of the journal replayed and compared.
type JournalReplay struct {
	From      string `json:"from_backup"`
	To        string `json:"to_backup"`
	Revision  int64  `json:"revision"`
	Revisions int    `json:"revisions_replayed"`
	Events    int    `json:"events_replayed"`
}

// VerifyJournal checks every committed segment at o.Catalog's destination: its manifest against its
// key, its stored size and sha256, and with the private key (or without encryption) its events and
// plain sum; then the chain: a segment that names the one before must follow it. deep also replays
// the journal from a backup up to the revision of the next backup and compares the whole keyspace
// (keys, values, revisions, versions, leases) with that backup.
func VerifyJournal(ctx context.Context, o Options, deep bool) (*JournalReport, error) {
	o.defaults()
	start := time.Now()
	j := journal.New(o.Catalog.Store, o.Catalog.Layout.Cluster)
	rep := &JournalReport{Destination: o.Catalog.Store.String(), Gaps: []journal.Gap{}}
	err := quickJournal(ctx, &o, j, rep)
	if err == nil && deep {
		err = deepJournal(ctx, &o, j, rep)
	}
	rep.Seconds = time.Since(start).Seconds()
	if err != nil {
		return rep, fmt.Errorf("verify journal at %s: %w", rep.Destination, err)
	}
	return rep, nil
}

func quickJournal(ctx context.Context, o *Options, j *journal.Journal, rep *JournalReport) error {
	l, err := j.List(ctx)
	if err != nil {
		return err
	}
	rep.Segments = len(l.Segments)
	rep.Gaps = append(rep.Gaps, journal.Gaps(journal.Runs(l.Segments))...)
	lastOf := map[string]int64{}
	for _, s := range l.Segments {
		lastOf[s.Name] = s.Last
	}
	rep.Decoded = true
	for _, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			return err
		}
		// A previous segment older than the oldest listed one was pruned with its backups.
		if m.Previous != "" && m.FirstRevision > l.Segments[0].First {
			if last, ok := lastOf[m.Previous]; !ok || last != m.FirstRevision-1 {
				return fmt.Errorf("segment %s: continues %s, which is missing or does not end at revision %d",
					s.Name, m.Previous, m.FirstRevision-1)
			}
		}
		if m.Object.Encryption != catalog.EncryptionNone && o.Identity == nil {
			rep.Decoded = false
			if _, err := j.Stored(ctx, m); err != nil {
				return err
			}
			continue
		}
		if err := j.Read(ctx, m, o.Identity, func(*journal.Revision) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}

// deepJournal replays from the newest backup that has an older one the journal reaches it from,
// and compares.
func deepJournal(ctx context.Context, o *Options, j *journal.Journal, rep *JournalReport) error {
	ms, _, err := o.Catalog.Manifests(ctx) // newest first
	if err != nil {
		return err
	}
	l, err := j.List(ctx)
	if err != nil {
		return err
	}
	for i, to := range ms {
		older := journal.BasesOf(ms[i+1:])
		b, err := journal.BaseOf(to)
		if err != nil {
			continue
		}
		var fresh []journal.Base
		for _, x := range older {
			if x.SnapshotRev < b.SnapshotRev {
				fresh = append(fresh, x)
			}
		}
		plan, err := journal.PlanFor(l.Segments, fresh, b.SnapshotRev)
		if err != nil {
			continue
		}
		return replayAndCompare(ctx, o, j, plan, to, rep)
	}
	return ErrNothingToReplay
}

// ErrNothingToReplay is returned by a deep VerifyJournal when no two backups are linked by the
// journal yet: the segments were checked, but nothing could be replayed and compared.
var ErrNothingToReplay = errors.New("no two backups the journal links: nothing to replay and compare yet")

// replayAndCompare restores plan's base into the scratch dir, replays up to the revision of backup
// to, and compares the keyspace with to's.
func replayAndCompare(ctx context.Context, o *Options, j *journal.Journal, plan *journal.Plan, to *catalog.Manifest, rep *JournalReport) error {
	sc, err := openScratch(o.ScratchDir, o.Logger)
	if err != nil {
		return err
	}
	defer sc.Close()
	from, err := o.Catalog.Get(ctx, plan.Base.ID)
	if err != nil {
		return err
	}
	basePlain, toPlain := filepath.Join(sc.dir, "from.db"), filepath.Join(sc.dir, "to.db")
	if _, err := writePlain(ctx, o, from, basePlain); err != nil {
		return err
	}
	if _, err := writePlain(ctx, o, to, toPlain); err != nil {
		return err
	}
	target, err := dbRevision(toPlain, o)
	if err != nil {
		return err
	}
	plan.Target = target
	pr := &PointResult{}
	if _, err := replayPlan(ctx, o, j, plan, basePlain, pr); err != nil {
		return err
	}
	if err := replay.Compare(ctx, basePlain, toPlain); err != nil {
		return fmt.Errorf("the journal replayed from %s differs from backup %s at revision %d: %w", from.ID, to.ID, target, err)
	}
	rep.Deep = &JournalReplay{From: from.ID, To: to.ID, Revision: target, Revisions: pr.Revisions, Events: pr.Events}
	return nil
}

// dbRevision is the current revision of a plain snapshot, as etcd would serve it.
func dbRevision(path string, o *Options) (int64, error) {
	db, err := replay.Open(path, replay.Options{Logger: quiet(o.Logger, "replay")})
	if err != nil {
		return 0, err
	}
	rev := db.Rev()
	return rev, db.Close()
}
