package replay

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/server/v3/lease"
	"go.etcd.io/etcd/server/v3/storage/backend"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
	"go.etcd.io/etcd/server/v3/storage/schema"
	"go.uber.org/zap"
)

// lockTimeout bounds the wait for bbolt's file lock: another process holding the file is an error,
// not a hang.
const lockTimeout = 10 * time.Second

// DB is an etcd database open for replay. It is not safe for concurrent use.
type DB struct {
	lg   *zap.Logger
	ttl  int64
	path string
	be   backend.Backend
	le   lease.Lessor
	kv   mvcc.KV

	// diverged is set once a revision did not replay as the events say: the database then matches
	// no state etcd held, and every later Apply returns this error.
	diverged error
	closed   bool
}

// Open opens the database file at path for replay. A trailing etcd sha256 trailer is checked and cut
// off first. The file is changed in place: open a copy of the backup.
func Open(path string, o Options) (*DB, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("open %s: not a regular file", path)
	case fi.Size() == 0:
		// bbolt would make a new database of it.
		return nil, fmt.Errorf("open %s: empty file", path)
	}
	if err := cutTrailer(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkBolt(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d := &DB{lg: o.Logger, ttl: o.LeaseTTL, path: path}
	if err := d.open(path); err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: %w", path, err), d.stop())
	}
	d.lg.Debug("opened for replay", zap.String("path", path), zap.Int64("revision", d.Rev()))
	return d, nil
}

// open starts etcd's backend, lessor and store on path. They report a database they cannot read
// by panicking: that becomes the error.
func (d *DB) open(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("etcd storage: %v", r)
		}
	}()
	d.be = backend.NewDefaultBackend(d.lg, path, backend.WithTimeout(lockTimeout), noFsync)
	// Never promoted, the lessor is not primary: its leases never expire, so none is revoked
	// behind the replay's back (which would add revisions).
	d.le = lease.NewLessor(d.lg, d.be, nil, lease.LessorConfig{MinLeaseTTL: 1})
	d.kv = mvcc.NewStore(d.lg, d.be, d.le, mvcc.StoreConfig{})
	return nil
}

// checkBolt opens the file read-only with bbolt first: etcd's backend would panic with no reason
// given on a file that is not a database, and its store would make an etcd database of any other
// bbolt file.
func checkBolt(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return err
	}
	err = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(schema.Key.Name()) == nil {
			return fmt.Errorf("not an etcd database: no %q bucket", schema.Key.Name())
		}
		return nil
	})
	return errors.Join(err, db.Close())
}

// Rev returns the store's current revision.
func (d *DB) Rev() int64 { return d.kv.Rev() }

// noFsync spares the backend an fsync per commit (the replay ran 1.2 to 1.5 times faster without);
// Close syncs the file once. A replay cut short by a crash starts again from the backup anyway.
func noFsync(c *backend.BackendConfig) { c.UnsafeNoFsync = true }

// Close commits everything to the file, syncs and closes it. Later calls do nothing.
func (d *DB) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if err := d.stop(); err != nil {
		return fmt.Errorf("close %s: %w", d.path, err)
	}
	if err := syncFile(d.path); err != nil {
		return fmt.Errorf("close %s: %w", d.path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// stop closes what open started, store first (it stops a compaction the database had scheduled),
// then the lessor, then the backend after a last commit.
func (d *DB) stop() error {
	var err error
	if d.kv != nil {
		err = d.kv.Close()
	}
	if d.le != nil {
		d.le.Stop()
	}
	if d.be != nil {
		d.be.ForceCommit()
		err = errors.Join(err, d.be.Close())
	}
	return err
}
