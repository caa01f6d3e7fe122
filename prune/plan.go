package prune

import (
	"context"
	"errors"
	"fmt"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// plan applies the policy to the committed backups of st and checks the result against the rails.
func plan(ctx context.Context, st *state, o Options) ([]retention.Decision, error) {
	if err := o.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("refuse to prune: %w", err)
	}
	ids := st.index.Committed()
	verified, err := newestVerified(ctx, st, ids)
	if err != nil {
		return nil, err
	}
	backups := make([]retention.Backup, 0, len(ids))
	for _, id := range ids {
		t, _, err := catalog.ParseID(id)
		if err != nil {
			return nil, err
		}
		backups = append(backups, retention.Backup{ID: id, Time: t, Verified: id == verified})
	}
	ds := retention.Apply(backups, o.Policy, o.Now())
	if err := checkPlan(ds, ids, verified); err != nil {
		return nil, err
	}
	return ds, nil
}

// newestVerified returns the newest of ids (newest first) whose last drill record says OK, or "".
// It reads the last record of each backup that has one, newest first, until one succeeded.
func newestVerified(ctx context.Context, st *state, ids []string) (string, error) {
	for _, id := range ids {
		keys := st.drills[id]
		if len(keys) == 0 {
			continue
		}
		d, err := st.cat.ReadDrill(ctx, keys[len(keys)-1])
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted by a concurrent prune
		}
		if err != nil {
			return "", err
		}
		if d.OK {
			return id, nil
		}
	}
	return "", nil
}

// checkPlan is the last check before deleting: something is kept, and neither the newest
// committed backup nor the newest verified one is removed.
func checkPlan(ds []retention.Decision, ids []string, verified string) error {
	if len(ids) == 0 {
		return nil
	}
	keep := make(map[string]bool, len(ds))
	for _, d := range ds {
		keep[d.Backup.ID] = d.Keep
	}
	if len(ds) != len(ids) {
		return fmt.Errorf("refuse to prune: the plan covers %d backups, the listing %d", len(ds), len(ids))
	}
	if !keep[ids[0]] {
		return fmt.Errorf("refuse to prune: the plan removes the newest backup %s", ids[0])
	}
	if verified != "" && !keep[verified] {
		return fmt.Errorf("refuse to prune: the plan removes the newest verified backup %s", verified)
	}
	return nil
}
