package backup

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
	"github.com/etcd-backupd/etcd-backupd/spool"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// attempt is one try at a backup from one member.
type attempt struct {
	o      Options
	src    Source
	spool  *spool.Spool
	member cluster.Member
	start  time.Time
	id     string
	fan    *fanout
	aborts aborter
	kit    *sealedKit // nil without a kit
	kitErr error
	// emptyKey: the snapshot holds the marker of a revision bump, which no member serves
	emptyKey bool
}

func (a *attempt) run(ctx context.Context) (*Result, error) {
	a.newID()
	defer a.waitAborts()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the operations given up on
	f, err := a.spool.Create(a.id)
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	a.prepareKit()
	a.openDests(ctx, f)
	p, st, err := a.transfer(ctx, f)
	if err != nil {
		a.fan.abort(err)
		return a.failed(), err
	}
	// Destinations that took the stream commit first; a failed one does after its retry, so that its
	// backoff never delays, or times out, the others.
	m := a.manifest(p, st)
	if a.emptyKey {
		m.Snapshot.UnservedKeys = 1
	}
	a.commitManifests(ctx, m)
	a.retry(ctx, f)
	a.commitManifests(ctx, m)
	res, err := a.result(p, st, m)
	if res != nil {
		res.KitErr = a.kitErr
	}
	return res, err
}

// newID names the backup. The writer suffix keeps two nodes that snapshot the same revision in the
// same second from sharing an ID, where each would report the one backup as its own.
func (a *attempt) newID() {
	a.start = a.o.Now().UTC()
	a.id = catalog.NewUniqueID(a.start, a.member.Status.Header.Revision)
}

// waitAborts gives the aborts of dropped uploads a short grace, then leaves them running.
func (a *attempt) waitAborts() {
	if !a.aborts.wait(abortGrace) {
		a.o.Logger.Warn("abort of a dropped upload still running; leaving it (the prune sweep removes what it leaves)",
			zap.String("id", a.id), zap.Duration("after", abortGrace))
	}
}

func (a *attempt) openDests(ctx context.Context, spool *os.File) {
	suffix := catalog.DataSuffix(a.o.Compression, a.o.Recipients != nil)
	var dests []*dest
	for _, c := range a.o.Destinations {
		key := c.Layout.DataKey(a.id, suffix)
		w, err := c.Store.NewWriter(ctx, key, a.sizeHint())
		d := newDest(c, key, w, &a.aborts)
		if err != nil {
			d.fail(err) // it names the key and the destination
		}
		dests = append(dests, d)
	}
	a.fan = newFanout(dests, spoolSink(spool))
}

// transfer streams the snapshot through every stage: the status scanner on one side; zstd,
// OpenPGP, the spool and the uploads on the other. Then it closes the stages in order and commits
// the data objects.
func (a *attempt) transfer(ctx context.Context, f *os.File) (p plain, st snapstat.Status, err error) {
	snap, err := a.src.Snapshot(ctx, a.member)
	if err != nil {
		return plain{}, st, &sourceError{err}
	}
	defer snap.Close()
	enc, err := newEncoder(a.fan, &a.o)
	if err != nil {
		return plain{}, st, err
	}
	closed := false
	defer func() {
		if !closed {
			enc.abort()
		}
	}()
	// The scanner spills what it gathers per page to unlinked files in the spool: memory stays flat
	// whatever the database size.
	scan := &scanSink{snapstat.NewSpilling(a.o.SpoolDir), a.member.Endpoint}
	defer scan.Close()
	p, err = stream(ctx, snap, a.member.Endpoint, enc, scan)
	if err != nil {
		return p, st, err
	}
	sum, err := snap.FullSum()
	if err != nil {
		return p, st, err
	}
	p.sha256 = hex.EncodeToString(sum)
	if st, err = scan.Status(); err != nil {
		return p, st, scan.wrap(err)
	}
	a.emptyKey = scan.EmptyKey()
	closed = true
	if err := enc.Close(); err != nil {
		return p, st, err
	}
	a.fan.drain()
	if err := a.fan.spool.failed(); err != nil {
		return p, st, err
	}
	a.fan.commit()
	return p, st, nil
}

// commitManifests writes the manifest wherever the data object was committed and no manifest was
// written yet, in parallel, so that a hung destination holds up no other.
func (a *attempt) commitManifests(ctx context.Context, m *catalog.Manifest) {
	var wg sync.WaitGroup
	for _, d := range a.fan.dests {
		if !d.committed || d.manifest != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.commitManifest(ctx, m, a.kit)
		}()
	}
	wg.Wait()
}

// commitManifest writes d's kit, then its manifest, or gives up once d stalls.
func (d *dest) commitManifest(ctx context.Context, m *catalog.Manifest, k *sealedKit) {
	dm := *m
	dm.Object.Key, dm.Object.Size, dm.Object.SHA256 = d.key, d.size, d.sum
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends a write given up on
	err := d.guard.do(func() (err error) {
		if dm.Kit, err = d.putKit(ctx, m.ID, k); err != nil {
			return err
		}
		return d.cat.Commit(ctx, &dm)
	})
	if err != nil {
		d.reset(fmt.Errorf("commit manifest %s to %s: %w", m.ID, d.cat.Store, err))
		d.committed = false
		return
	}
	d.manifest = &dm
}

// result tells what happened at each destination.
func (a *attempt) result(p plain, st snapstat.Status, m *catalog.Manifest) (*Result, error) {
	res := &Result{}
	var committed []string
	for _, d := range a.fan.dests {
		dr := DestResult{URL: d.cat.Store.String(), Err: d.failed()}
		if d.manifest != nil {
			dr.Bytes = d.size
			committed = append(committed, dr.URL)
			if res.Manifest == nil {
				res.Manifest = d.manifest
			}
		}
		res.Dests = append(res.Dests, dr)
	}
	if len(committed) == 0 {
		return res, res.Err()
	}
	a.o.Logger.Info("backup committed", zap.String("id", m.ID), zap.Int64("revision", st.Revision),
		zap.Int64("size", p.size), zap.Int64("stored", res.Manifest.Object.Size), zap.Strings("destinations", committed),
		zap.Float64("seconds", m.DurationSeconds))
	return res, nil
}

// sizeHint lets object stores size their upload parts: the stored object is at most about the
// member's database size.
func (a *attempt) sizeHint() storage.WriteOptions {
	return storage.WriteOptions{SizeHint: a.member.Status.DbSize, Lock: true}
}

// failed reports every destination as failed.
func (a *attempt) failed() *Result {
	res := &Result{}
	for _, d := range a.fan.dests {
		res.Dests = append(res.Dests, DestResult{URL: d.cat.Store.String(), Err: d.failed()})
	}
	return res
}

func (a *attempt) manifest(p plain, st snapstat.Status) *catalog.Manifest {
	m := &catalog.Manifest{
		Format: catalog.Format, ID: a.id, ClusterName: a.o.Cluster, CreatedAt: a.start,
		ToolVersion: a.o.ToolVersion,
		Etcd: catalog.EtcdInfo{
			Endpoint: a.member.Endpoint, MemberID: hexID(a.member.ID), ClusterID: hexID(clusterID(a.member)),
			ServerVersion: a.member.Status.Version, StorageVersion: st.StorageVersion,
		},
		Snapshot:        catalog.SnapshotInfo{Revision: st.Revision, TotalKeys: st.TotalKeys, Hash: st.Hash, Size: p.size, SHA256: p.sha256},
		Object:          catalog.ObjectInfo{Compression: a.o.Compression, Encryption: catalog.EncryptionNone},
		DurationSeconds: a.o.Now().Sub(a.start).Seconds(),
	}
	if a.o.Recipients != nil {
		m.Object.Encryption = catalog.EncryptionPGP
		m.Object.Recipients = a.o.Recipients.Fingerprints()
	}
	return m
}

func clusterID(m cluster.Member) uint64 {
	if m.Status != nil && m.Status.Header != nil {
		return m.Status.Header.ClusterId
	}
	return 0
}

func hexID(id uint64) string { return strconv.FormatUint(id, 16) }

// scanSink feeds the status scanner; a snapshot it refuses is the member's fault, so the next
// member may be tried.
type scanSink struct {
	*snapstat.Scanner
	endpoint string
}

func (s *scanSink) Write(p []byte) (int, error) {
	n, err := s.Scanner.Write(p)
	return n, s.wrap(err)
}

func (s *scanSink) wrap(err error) error {
	if err == nil {
		return nil
	}
	return &sourceError{fmt.Errorf("snapshot from %s: %w", s.endpoint, err)}
}
