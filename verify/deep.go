package verify

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/snapstat"
)

// drillName is the member name of the throwaway member a deep verification starts.
const drillName = "etcd-backupd-drill"

// Deep does what Quick does while writing the plain snapshot into a fresh directory under
// ScratchDir, then runs snapshot status on it (child process), restores it, starts an embedded etcd
// on the result and compares hash, revision and key counts with the manifest. The record gives each
// step's duration, the figures compared and the keys per Kubernetes resource. The scratch directory
// is removed in every case.
func Deep(ctx context.Context, o Options, m *catalog.Manifest) (*catalog.Drill, error) {
	o.defaults()
	start := time.Now()
	d := newDrill(&o, m, catalog.ModeDeep)
	err := deep(ctx, &o, m, d)
	return finish(ctx, &o, d, start, wrap(err, "deep verify", &o, m))
}

func deep(ctx context.Context, o *Options, m *catalog.Manifest, d *catalog.Drill) error {
	sc, err := openScratch(o.ScratchDir, o.Logger)
	if err != nil {
		return err
	}
	lock, err := lockDir(sc.dir) // says "in use" to check, which reports leftovers
	if err != nil {
		sc.Close()
		return fmt.Errorf("scratch dir: %w", err)
	}
	defer func() {
		if err := sc.Close(); err != nil {
			o.Logger.Warn("could not remove the scratch dir", zap.String("path", sc.dir), zap.Error(err))
		}
		lock.Close()
	}()
	kc, err := openKitCheck(ctx, o, m, d) // first: a kit that does not open fails fast
	if err != nil {
		return err
	}
	// The download is written where the drill member keeps its database: etcd's status reads it
	// there, and the restore is then finished in place, without a second copy of the database.
	data := filepath.Join(sc.dir, dataName)
	if err := makeMemberDBDir(data); err != nil {
		return fmt.Errorf("scratch dir: %w", err)
	}
	db := memberDB(data)
	t := time.Now()
	s, err := writePlain(ctx, o, m, db)
	step(d.Steps, StepDownload, t)
	sumFigures(d, s)
	if err != nil {
		return err
	}
	if err := status(ctx, m, d, db); err != nil {
		return err
	}
	t = time.Now()
	err = finishRestore(ctx, quiet(o.Logger, "restore"), snapshot.RestoreConfig{
		SnapshotPath: db, Name: drillName, OutputDataDir: data,
		PeerURLs: []string{drillPeerURL}, InitialCluster: drillName + "=" + drillPeerURL, InitialClusterToken: drillName,
		SkipHashCheck: true, // the whole file, trailer included, matched the manifest's sha256
	}, lock)
	step(d.Steps, StepRestore, t)
	if err := ctx.Err(); err != nil {
		return err // rather than the error of the killed child
	}
	if err != nil {
		return fmt.Errorf("restore into %s: %w", data, err)
	}
	return serve(ctx, o, m, d, data, drillPeerURL, sc.dir, kc)
}

// status runs etcd's snapshot status on the plain snapshot at db, before the restore changes it,
// and compares it with the manifest.
func status(ctx context.Context, m *catalog.Manifest, d *catalog.Drill, db string) error {
	t := time.Now()
	st, err := snapstat.File(ctx, db)
	step(d.Steps, StepStatus, t)
	if ctx.Err() != nil {
		return ctx.Err() // rather than the error of the killed child
	}
	if err != nil {
		return err
	}
	d.Figures["status_revision"] = st.Revision
	d.Figures["status_total_keys"] = int64(st.TotalKeys)
	return compareStatus(m, st)
}

func compareStatus(m *catalog.Manifest, st snapstat.Status) error {
	if err := mismatch("snapshot hash", m.Snapshot.Hash, st.Hash); err != nil {
		return err
	}
	if err := mismatch("snapshot revision", m.Snapshot.Revision, st.Revision); err != nil {
		return err
	}
	return mismatch("snapshot total_keys", m.Snapshot.TotalKeys, st.TotalKeys)
}

// serve starts a member on the restored data and compares what it serves with the manifest.
func serve(ctx context.Context, o *Options, m *catalog.Manifest, d *catalog.Drill, data, peer, sockDir string, kc *kitCheck) error {
	cfg, level, err := memberConfig(o.Logger, data, drillName, peer, sockDir)
	if err != nil {
		return err
	}
	throwaway(cfg)
	t := time.Now()
	mem, err := startMember(ctx, cfg, level)
	step(d.Steps, StepStart, t)
	if err != nil {
		return err
	}
	defer mem.Close()
	t = time.Now()
	s, err := mem.survey(ctx)
	step(d.Steps, StepCompare, t)
	if err != nil {
		return err
	}
	d.Figures["served_revision"] = s.Revision
	d.Figures["served_keys"] = s.Keys
	for res, n := range s.Resources {
		d.Figures["registry/"+res] = n
	}
	// A compaction can drop the tombstone of the newest revision, which status then misses: the
	// member may serve a higher revision than the manifest, never a lower one.
	if s.Revision < m.Snapshot.Revision {
		return &MismatchError{What: "served revision", Manifest: fmt.Sprint(m.Snapshot.Revision), Got: fmt.Sprint(s.Revision)}
	}
	if err := servedSinceID(m, s.Revision); err != nil {
		return err
	}
	if err := mismatch("served key count", int64(m.Snapshot.TotalKeys-m.Snapshot.UnservedKeys), s.Keys); err != nil {
		return err
	}
	if kc == nil {
		return nil
	}
	return kc.secrets(ctx, mem.c, s.Revision, d)
}

// servedSinceID checks the revision the ID names against the served one. The ID is made before the
// snapshot is taken, and a restored member serves the revision the store had then even when its
// newest revisions were compacted tombstones (etcd raises it to the compacted revision): never a
// lower one.
func servedSinceID(m *catalog.Manifest, served int64) error {
	_, rev, err := catalog.ParseID(m.ID)
	if err != nil {
		return err
	}
	if served < rev {
		return &MismatchError{What: "id revision", Manifest: fmt.Sprintf("%d (id %s)", rev, m.ID), Got: fmt.Sprintf("%d served", served)}
	}
	return nil
}

// quiet narrows lg to warnings and errors, for libraries that log every step at info.
func quiet(lg *zap.Logger, name string) *zap.Logger {
	return atLeast(lg.Named(name), zapcore.WarnLevel)
}

// atLeast raises lg's level to level, unless it is already higher.
func atLeast(lg *zap.Logger, level zapcore.Level) *zap.Logger {
	if !lg.Core().Enabled(level - 1) {
		return lg
	}
	return lg.WithOptions(zap.IncreaseLevel(level))
}
