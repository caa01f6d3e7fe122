package replay

import (
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/pkg/v3/traceutil"
	"go.etcd.io/etcd/server/v3/lease"
	"go.uber.org/zap"
)

// Apply applies every event of revision rev, in their order, in one transaction, as etcd did.
//   - rev <= Rev(): the database already holds it (the base backup is newer than the journal's
//     start); it is skipped: (false, nil).
//   - rev == Rev()+1: applied; the database is then at rev and every put has the event's create
//     revision and version, or the replay diverged.
//   - rev > Rev()+1: an error naming both revisions (revisions are missing).
//
// A put whose lease the database does not hold grants it first, with Options.LeaseTTL. After an
// error that says the replay diverged, the database matches no state etcd held: discard it.
func (d *DB) Apply(rev int64, events []*mvccpb.Event) (applied bool, err error) {
	switch {
	case d.closed:
		return false, errors.New("apply to a closed database")
	case d.diverged != nil:
		return false, d.diverged
	}
	cur := d.Rev()
	switch {
	case rev <= cur:
		return false, nil
	case rev > cur+1:
		return false, fmt.Errorf("revision %d does not follow the database's %d: revisions %d to %d are missing",
			rev, cur, cur+1, rev-1)
	}
	if err := checkEvents(rev, events); err != nil {
		return false, err
	}
	if err := d.grantLeases(events); err != nil {
		d.diverged = fmt.Errorf("replay diverged at revision %d: %w", rev, err)
		return false, d.diverged
	}
	err = d.write(rev, events)
	if got := d.Rev(); err == nil && got != rev {
		err = fmt.Errorf("the database is at revision %d after it", got)
	}
	if err != nil {
		d.diverged = fmt.Errorf("replay diverged at revision %d: %w", rev, err)
		return false, d.diverged
	}
	return true, nil
}

// checkEvents refuses events that cannot make revision rev, before anything is written.
func checkEvents(rev int64, events []*mvccpb.Event) error {
	if len(events) == 0 {
		return fmt.Errorf("revision %d: no events", rev)
	}
	for i, ev := range events {
		kv := ev.GetKv()
		switch {
		case kv == nil || len(kv.Key) == 0:
			return fmt.Errorf("revision %d: event %d has no key", rev, i)
		case kv.ModRevision != rev:
			return fmt.Errorf("revision %d: event %d (%q) has mod_revision %d", rev, i, kv.Key, kv.ModRevision)
		case ev.Type != mvccpb.Event_PUT && ev.Type != mvccpb.Event_DELETE:
			return fmt.Errorf("revision %d: event %d (%q) has type %v", rev, i, kv.Key, ev.Type)
		}
	}
	return nil
}

// grantLeases grants the leases that puts attach and the lessor does not hold: mvcc panics on a put
// with an unknown lease. It runs before the write transaction, which holds the backend lock that a
// grant takes to persist the lease.
func (d *DB) grantLeases(events []*mvccpb.Event) error {
	for _, ev := range events {
		id := lease.LeaseID(ev.Kv.Lease)
		if ev.Type != mvccpb.Event_PUT || id == lease.NoLease || d.le.Lookup(id) != nil {
			continue
		}
		if _, err := d.le.Grant(id, d.ttl); err != nil {
			return fmt.Errorf("grant lease %x: %w", int64(id), err)
		}
		d.lg.Debug("granted a lease the base does not hold", zap.String("lease", fmt.Sprintf("%x", int64(id))),
			zap.Int64("ttl", d.ttl))
	}
	return nil
}

// write applies events in one write transaction and checks each change against its event.
func (d *DB) write(rev int64, events []*mvccpb.Event) error {
	txn := d.kv.Write(traceutil.TODO())
	defer txn.End()
	if txn.Rev() != rev-1 {
		return fmt.Errorf("the transaction starts at revision %d", txn.Rev())
	}
	for _, ev := range events {
		kv := ev.Kv
		if ev.Type == mvccpb.Event_PUT {
			txn.Put(kv.Key, kv.Value, lease.LeaseID(kv.Lease))
			continue
		}
		if n, _ := txn.DeleteRange(kv.Key, nil); n != 1 {
			return fmt.Errorf("delete %q: no such key", kv.Key)
		}
	}
	return checkChanges(events, txn.Changes())
}

// checkChanges compares what mvcc wrote with what the events say etcd wrote.
func checkChanges(events []*mvccpb.Event, changes []*mvccpb.KeyValue) error {
	if len(changes) != len(events) {
		return fmt.Errorf("%d changes for %d events", len(changes), len(events))
	}
	for i, ev := range events {
		got, want := changes[i], ev.Kv
		if ev.Type != mvccpb.Event_PUT {
			continue
		}
		if got.CreateRevision != want.CreateRevision {
			return fmt.Errorf("put %q: create_revision %d, the event says %d", want.Key, got.CreateRevision, want.CreateRevision)
		}
		if got.Version != want.Version {
			return fmt.Errorf("put %q: version %d, the event says %d", want.Key, got.Version, want.Version)
		}
	}
	return nil
}
