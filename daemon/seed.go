package daemon

import (
	"context"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Seed sets the last-success gauges from what the destinations hold, so that a restarted daemon does
// not look as if it never backed up or verified.
func (m *Metrics) Seed(ctx context.Context, set *catalog.Set) error {
	newest, err := set.Newest(ctx)
	if newest != nil {
		m.BackupLastSuccess.Set(lastSuccess(newest))
	}
	var lastDrill float64
	derr := set.Each(ctx, func(c *catalog.Catalog) error {
		d, err := c.NewestGoodDrill(ctx)
		if d != nil {
			lastDrill = max(lastDrill, float64(d.StartedAt.Unix()))
		}
		return err
	})
	if lastDrill > 0 {
		m.VerifyLastSuccess.Set(lastDrill)
	}
	if err != nil {
		return err
	}
	return derr
}
