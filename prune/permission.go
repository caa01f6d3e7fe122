package prune

import (
	"errors"
	"fmt"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// ErrNoDeletePermission is what a prune fails with at a destination whose credentials may not
// delete: nodes that only take backups are given put, get and list (docs/permissions.md), and
// retention runs elsewhere.
var ErrNoDeletePermission = errors.New("no permission to delete")

// deleteErr names a delete the store refused for permission: the destination, and where to run
// prune instead. Any other error is returned as it is.
//
// Nothing is half-deleted by such a refusal: a backup's manifest is deleted first
// (catalog.Delete), and a put-only identity is refused it as it would be refused the data, since
// the same permission on the same prefix covers both; a refused manifest delete changes nothing.
func (p *pruner) deleteErr(err error) error {
	if err == nil || errors.Is(err, ErrNoDeletePermission) || storage.Classify(err) != storage.KindPermission {
		return err
	}
	return fmt.Errorf("prune at %s: %w (the credentials may read and list here, not delete): "+
		"run prune where the credentials may delete, and set retention.enabled: false on nodes "+
		"whose credentials may not: %w", p.c.Store, ErrNoDeletePermission, err)
}
