package journal

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/etcd-backupd/etcd-backupd/crypto"
)

// errFound stops a segment's walk once the answer is known.
var errFound = errors.New("found")

// RevisionAt is the last revision this journal received at or before t, and when it received it.
// It reads the manifests of a binary search over segs (a listing's, sorted), then one segment. A
// time after the newest revision, before the first, or inside a gap of the journal has no answer:
// the state at that time is not known.
func (j *Journal) RevisionAt(ctx context.Context, segs []Segment, t time.Time, id *crypto.Identity) (int64, time.Time, error) {
	if len(segs) == 0 {
		return 0, time.Time{}, errors.New("the journal is empty")
	}
	var ferr error
	manifests := map[int]*Manifest{}
	manifest := func(i int) *Manifest {
		if m, ok := manifests[i]; ok || ferr != nil {
			return m
		}
		m, err := j.Manifest(ctx, segs[i].Name)
		if err != nil {
			ferr = err
		}
		manifests[i] = m
		return m
	}
	// The first segment whose first revision came after t; the one before holds t, if any does.
	i := sort.Search(len(segs), func(i int) bool { m := manifest(i); return m == nil || m.FirstTime.After(t) })
	if ferr != nil {
		return 0, time.Time{}, ferr
	}
	if i == 0 {
		return 0, time.Time{}, fmt.Errorf("%s is before the journal's first revision %d (received %s)", stamp(t),
			segs[0].First, stamp(manifest(0).FirstTime))
	}
	m := manifest(i - 1)
	if !m.LastTime.After(t) {
		return j.afterSegment(segs, i-1, m, t)
	}
	var rev int64
	var at time.Time
	err := j.Read(ctx, m, id, func(r *Revision) error {
		if r.Time.After(t) {
			return errFound
		}
		rev, at = r.Rev, r.Time
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return 0, time.Time{}, err
	}
	return rev, at, nil
}

// afterSegment answers for a time after segment i's last revision and before the next segment's
// first: its last revision, when the next segment continues it.
func (j *Journal) afterSegment(segs []Segment, i int, m *Manifest, t time.Time) (int64, time.Time, error) {
	if i+1 == len(segs) {
		return 0, time.Time{}, fmt.Errorf("%s is after the newest journaled revision %d (received %s): restore --to-revision latest restores it",
			stamp(t), m.LastRevision, stamp(m.LastTime))
	}
	if segs[i+1].First > m.LastRevision+1 {
		return 0, time.Time{}, fmt.Errorf("%s falls in a gap of the journal, from revision %d to %d", stamp(t),
			m.LastRevision+1, segs[i+1].First-1)
	}
	return m.LastRevision, m.LastTime, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
