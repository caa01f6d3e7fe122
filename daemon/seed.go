package daemon

import (
	"context"
	"errors"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Seed sets the last-success gauges from what the destinations hold, so that a restarted daemon does
// not look as if it never backed up or verified.
func (m *Metrics) Seed(ctx context.Context, cats []*catalog.Catalog) error {
	var lastBackup, lastDrill float64
	var errs []error
	for _, c := range cats {
		if mf, err := c.Resolve(ctx, "latest"); err == nil {
			lastBackup = max(lastBackup, float64(mf.CreatedAt.Unix())+mf.DurationSeconds)
		} else if !errors.Is(err, catalog.ErrNoBackup) {
			errs = append(errs, err)
		}
		d, err := c.NewestGoodDrill(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		if d != nil {
			lastDrill = max(lastDrill, float64(d.StartedAt.Unix()))
		}
	}
	if lastBackup > 0 {
		m.BackupLastSuccess.Set(lastBackup)
	}
	if lastDrill > 0 {
		m.VerifyLastSuccess.Set(lastDrill)
	}
	return errors.Join(errs...)
}
