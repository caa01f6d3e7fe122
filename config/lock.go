package config

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// lockCheckTimeout bounds the look at each locked destination's bucket.
const lockCheckTimeout = 30 * time.Second

// CheckLocks asks every destination with object_lock whether its bucket really locks objects. The
// error names each destination that does not (a storage answer, not a config error: exit 1).
func (c *Config) CheckLocks(ctx context.Context, lg *zap.Logger) error {
	var errs []error
	for i, d := range c.Destinations {
		if d.ObjectLock == nil {
			continue
		}
		err := func() error {
			ctx, cancel := context.WithTimeout(ctx, lockCheckTimeout)
			defer cancel()
			cat, err := c.OpenDestination(ctx, i, lg)
			if err != nil {
				return err
			}
			defer cat.Store.Close()
			return storage.CheckLock(ctx, cat.Store)
		}()
		if err != nil {
			errs = append(errs, fmt.Errorf("destinations[%d].object_lock (%s): %w", i, storage.Redact(d.URL), err))
		}
	}
	return errors.Join(errs...)
}
