package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/client/pkg/v3/fileutil"
	"go.etcd.io/etcd/client/pkg/v3/types"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/config"
	"go.etcd.io/etcd/server/v3/etcdserver"
	"go.etcd.io/etcd/server/v3/etcdserver/api/membership"
	"go.etcd.io/etcd/server/v3/etcdserver/api/snap"
	"go.etcd.io/etcd/server/v3/etcdserver/cindex"
	"go.etcd.io/etcd/server/v3/storage/backend"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
	"go.etcd.io/etcd/server/v3/storage/schema"
	"go.etcd.io/etcd/server/v3/storage/wal"
	"go.etcd.io/etcd/server/v3/storage/wal/walpb"
	"go.etcd.io/etcd/server/v3/verify"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"
)

// A restore verifies the plain snapshot into a file beside the data dir it builds, then renames
// that file to where the restored member keeps its database, <data dir>/member/snap/db, and finishes
// the restore there: what etcdutl snapshot restore does after it copied the snapshot to that place.
// The copy is all it saves: a second full write of the database and, beyond the kernel's dirty
// limits (from about 2 GB on 24 GB of RAM), the writeback of the plain file too, which the copy
// then waits for, and which grows faster than the database. restoreInPlace follows etcdutl's
// v3Manager.Restore (go.etcd.io/etcd/etcdutl/v3/snapshot, v3_snapshot.go, v3.7.3) step by step,
// through etcd's own exported packages, in one opening of the database (steps), and makes the same
// WAL and raft snapshot byte for byte and a database with the same contents:
// TestRestoreInPlaceMatchesEtcdutl compares the two on each kind of restore.

// memberDB is where etcd keeps a member's database in its data dir.
func memberDB(dataDir string) string { return filepath.Join(dataDir, "member", "snap", "db") }

// makeMemberDBDir makes the directories of memberDB(dataDir), 0700 as etcd makes them, in a
// dataDir that must not exist yet.
func makeMemberDBDir(dataDir string) error {
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Dir(memberDB(dataDir)), 0o700)
}

// restoreInPlace does what etcdutl's snapshot restore does with cfg, except that the snapshot is
// already at memberDB(cfg.OutputDataDir) (cfg.SnapshotPath, if given, must name it), trailer
// included, and nothing else is in the data dir. On error the data dir is half-restored: remove it.
func restoreInPlace(lg *zap.Logger, cfg snapshot.RestoreConfig) error {
	pURLs, err := types.NewURLs(cfg.PeerURLs)
	if err != nil {
		return err
	}
	ics, err := types.NewURLsMap(cfg.InitialCluster)
	if err != nil {
		return err
	}
	srv := config.ServerConfig{Logger: lg, Name: cfg.Name, PeerURLs: pURLs, InitialPeerURLsMap: ics,
		InitialClusterToken: cfg.InitialClusterToken}
	if err := srv.VerifyBootstrap(); err != nil {
		return err
	}
	cl, err := membership.NewClusterFromURLsMap(lg, cfg.InitialClusterToken, ics)
	if err != nil {
		return err
	}
	dataDir := cfg.OutputDataDir
	if dataDir == "" {
		return errors.New("in-place restore: no data dir")
	}
	if cfg.OutputWALDir != "" {
		return errors.New("in-place restore: the WAL goes in the data dir")
	}
	r := &inPlace{lg: lg, cfg: cfg, cl: cl, db: memberDB(dataDir),
		walDir: filepath.Join(dataDir, "member", "wal"), snapDir: filepath.Join(dataDir, "member", "snap")}
	if cfg.SnapshotPath != "" && filepath.Clean(cfg.SnapshotPath) != r.db {
		return fmt.Errorf("in-place restore: the snapshot %s is not at %s", cfg.SnapshotPath, r.db)
	}
	if err := onlyDB(dataDir); err != nil {
		return err
	}
	if err := r.cutTrailer(); err != nil {
		return err
	}
	if err := r.steps(); err != nil {
		return err
	}
	return verify.VerifyIfEnabled(verify.Config{ExactIndex: true, Logger: lg, DataDir: dataDir})
}

// steps are etcdutl's steps after its copy, each committed before the next as etcdutl commits it,
// but in one opening of the database where etcdutl opens it for each. Every opening rebuilds bbolt's
// free list by checking every page of the database (etcd does not store the free list): about 2 s
// of CPU per opening at 4 GB. The database holds the same buckets, keys and values as etcdutl's, and
// the WAL and raft snapshot are the same bytes; only where bbolt put the few pages the steps write
// may differ (TestRestoreInPlaceMatchesEtcdutl).
func (r *inPlace) steps() error {
	be := backend.NewDefaultBackend(r.lg, r.db, backend.WithMmapSize(r.cfg.InitialMmapSize))
	defer be.Close()
	if err := schema.NewMembershipBackend(r.lg, be).TrimMembershipFromBackend(); err != nil {
		return err
	}
	be.ForceCommit()
	if r.cfg.MarkCompacted && r.cfg.RevisionBump > 0 {
		if err := r.modifyLatestRevision(be, r.cfg.RevisionBump); err != nil {
			return err
		}
		be.ForceCommit()
	}
	hs, err := r.saveWALAndSnap(be)
	if err != nil {
		return err
	}
	be.ForceCommit()
	cindex.UpdateConsistentIndexForce(be.BatchTx(), hs.GetCommit(), hs.GetTerm())
	return nil
}

// onlyDB checks that dataDir holds the member's database and nothing else: the state etcdutl's
// restore is in right after its copy.
func onlyDB(dataDir string) error {
	db := memberDB(dataDir)
	for p := db; p != dataDir; p = filepath.Dir(p) {
		ents, err := os.ReadDir(filepath.Dir(p))
		if err != nil {
			return fmt.Errorf("in-place restore: %w", err)
		}
		if len(ents) != 1 || ents[0].Name() != filepath.Base(p) {
			return fmt.Errorf("in-place restore: %s must hold %s and nothing else", filepath.Dir(p), db)
		}
	}
	fi, err := os.Lstat(db)
	if err != nil {
		return fmt.Errorf("in-place restore: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("in-place restore: %s is not a regular file", db)
	}
	return nil
}

// inPlace is etcdutl's v3Manager for one restore, its snapshot already at db.
type inPlace struct {
	lg                  *zap.Logger
	cfg                 snapshot.RestoreConfig
	cl                  *membership.RaftCluster
	db, walDir, snapDir string
}

// hasChecksum is etcdutl's: a size that is 32 (a sha256) past a multiple of 512 has the trailer.
func hasChecksum(n int64) bool { return n%512 == sha256.Size }

// cutTrailer is what copyAndVerifyDB does to its copy: the sha256 trailer, if any, is cut off and,
// unless SkipHashCheck, checked against the rest.
func (r *inPlace) cutTrailer() error {
	f, err := os.OpenFile(r.db, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	hasHash := hasChecksum(off)
	if !hasHash && !r.cfg.SkipHashCheck {
		return errors.New("snapshot missing hash but --skip-hash-check=false")
	}
	if !hasHash {
		return nil
	}
	sum := make([]byte, sha256.Size)
	if _, err := f.ReadAt(sum, off-sha256.Size); err != nil {
		return err
	}
	if err := f.Truncate(off - sha256.Size); err != nil {
		return err
	}
	if r.cfg.SkipHashCheck {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := h.Sum(nil); !bytes.Equal(sum, got) {
		return fmt.Errorf("expected sha256 %v, got %v", sum, got)
	}
	return nil
}

// modifyLatestRevision is etcdutl's: the latest revision raised by bump and marked compacted.
func (r *inPlace) modifyLatestRevision(be backend.Backend, bump uint64) error {
	tx := be.BatchTx()
	tx.LockOutsideApply()
	defer tx.Unlock()
	var latest mvcc.Revision
	err := tx.UnsafeForEach(schema.Key, func(k, _ []byte) error {
		if rev := mvcc.BytesToRev(k); rev.GreaterThan(latest) {
			latest = rev
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.lg.Info("bumping latest revision", zap.Int64("latest-revision", latest.Main),
		zap.Int64("bump-amount", int64(bump)), zap.Int64("new-latest-revision", latest.Main+int64(bump)))
	latest.Main += int64(bump)
	latest.Sub = 0
	tx.UnsafePut(schema.Key, mvcc.RevToBytes(latest, mvcc.NewRevBytes()), []byte{})
	r.lg.Info("marking revision compacted", zap.Int64("revision", latest.Main))
	mvcc.UnsafeSetScheduledCompact(tx, latest.Main)
	return nil
}

// saveWALAndSnap is etcdutl's: the members added to the backend, a WAL that adds them, and the
// raft snapshot.
func (r *inPlace) saveWALAndSnap(be backend.Backend) (*raftpb.HardState, error) {
	if err := fileutil.CreateDirAll(r.lg, r.walDir); err != nil {
		return nil, err
	}
	r.cl.SetBackend(schema.NewMembershipBackend(r.lg, be))
	for _, m := range r.cl.Members() {
		r.cl.AddMember(m, true)
	}
	m := r.cl.MemberByName(r.cfg.Name) //nolint:staticcheck // as etcdutl does
	md := &etcdserverpb.Metadata{NodeID: proto.Uint64(uint64(m.ID)), ClusterID: proto.Uint64(uint64(r.cl.ID()))}
	metadata, err := proto.Marshal(md)
	if err != nil {
		return nil, err
	}
	w, err := wal.Create(r.lg, r.walDir, metadata)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	peers := make([]raft.Peer, len(r.cl.MemberIDs()))
	for i, id := range r.cl.MemberIDs() {
		ctx, err := json.Marshal(r.cl.Member(id))
		if err != nil {
			return nil, err
		}
		peers[i] = raft.Peer{ID: uint64(id), Context: ctx}
	}
	ents := make([]*raftpb.Entry, len(peers))
	nodeIDs := make([]uint64, len(peers))
	for i, p := range peers {
		nodeIDs[i] = p.ID
		cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddNode.Enum(), NodeId: proto.Uint64(p.ID), Context: p.Context}
		d, err := proto.Marshal(&cc)
		if err != nil {
			return nil, err
		}
		ents[i] = &raftpb.Entry{Type: raftpb.EntryConfChange.Enum(), Term: proto.Uint64(1),
			Index: proto.Uint64(uint64(i + 1)), Data: d}
	}
	commit, term := uint64(len(ents)), uint64(1)
	hs := raftpb.HardState{Term: proto.Uint64(term), Vote: proto.Uint64(peers[0].ID), Commit: proto.Uint64(commit)}
	if err := w.Save(&hs, ents); err != nil {
		return nil, err
	}
	cs := &raftpb.ConfState{Voters: nodeIDs}
	rs := raftpb.Snapshot{
		Data:     etcdserver.GetMembershipInfoInV2Format(r.lg, r.cl),
		Metadata: &raftpb.SnapshotMetadata{Index: proto.Uint64(commit), Term: proto.Uint64(term), ConfState: cs},
	}
	if err := snap.New(r.lg, r.snapDir).SaveSnap(&rs); err != nil {
		return nil, err
	}
	ws := walpb.Snapshot{Index: proto.Uint64(commit), Term: proto.Uint64(term), ConfState: cs}
	return &hs, w.SaveSnapshot(&ws)
}
