package verify

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// OlderEvery makes every OlderEvery-th drill test a random older backup instead of the newest.
const OlderEvery = 4

// PickDrill chooses the backup the n-th drill (from 1) tests among ids, newest first: the newest,
// except every OlderEvery-th drill, which picks one of the older backups at random. It returns ""
// for no ids.
func PickDrill(ids []string, n int, rng *rand.Rand) string {
	if len(ids) == 0 {
		return ""
	}
	if n > 0 && n%OlderEvery == 0 && len(ids) > 1 {
		return ids[1+rng.IntN(len(ids)-1)]
	}
	return ids[0]
}

// Drill runs one scheduled restore drill: it picks a backup with PickDrill, runs Deep on it (which
// writes the drill record) and returns the record; the error is non-nil when the drill failed.
// count is the number of this drill, from 1; 0 counts the drill records already in the store,
// so that the rotation survives restarts and leader changes.
func Drill(ctx context.Context, o Options, count int, rng *rand.Rand) (*catalog.Drill, error) {
	o.defaults()
	ix, err := o.Catalog.Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("drill: %w", err)
	}
	if count <= 0 {
		recs, err := o.Catalog.Store.List(ctx, o.Catalog.Layout.DrillsPrefix())
		if err != nil {
			return nil, fmt.Errorf("drill: list records at %s: %w", o.Catalog.Store, err)
		}
		count = len(recs) + 1
	}
	id := PickDrill(ix.Committed(), count, rng)
	if id == "" {
		return nil, fmt.Errorf("drill: backups of %s at %s: %w", o.Catalog.Layout.Cluster, o.Catalog.Store, catalog.ErrNoBackup)
	}
	m, err := o.Catalog.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("drill: %w", err)
	}
	return Deep(ctx, o, m)
}
