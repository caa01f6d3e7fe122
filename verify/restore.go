package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/types"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/config"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// KubernetesBump is the revision bump advised when a backup holds Kubernetes data: far more than
// any cluster writes between a backup and a restore, so revisions never go back for watch caches.
const KubernetesBump = 1_000_000_000

// RestoreOptions describe the member a data dir is restored for, as etcdutl snapshot restore takes them.
type RestoreOptions struct {
	DataDir             string
	Name                string
	InitialCluster      string   // name=peerURL,...: every member of the new cluster
	InitialClusterToken string   // the same on every member
	PeerURLs            []string // this member's peer URLs
	BumpRevision        uint64   // with MarkCompacted: raise the revision by this much
	MarkCompacted       bool
	// AutoBump, without a BumpRevision of the user's, bumps by KubernetesBump and marks compacted
	// when the backup holds Kubernetes data: the safe default for an API server's clients.
	AutoBump bool
}

// Member is one member of the initial cluster.
type Member struct {
	Name     string   `json:"name"`
	PeerURLs []string `json:"peer_urls"`
}

// RestoreResult describes a restored data dir.
type RestoreResult struct {
	BackupID            string             `json:"backup_id"`
	DataDir             string             `json:"data_dir"`
	Name                string             `json:"name"`
	PeerURLs            []string           `json:"peer_urls"`
	InitialCluster      string             `json:"initial_cluster"`
	InitialClusterToken string             `json:"initial_cluster_token"`
	Members             []Member           `json:"members"`
	Revision            int64              `json:"revision"` // what the restored member serves
	TotalKeys           int                `json:"total_keys"`
	BumpRevision        uint64             `json:"bump_revision,omitempty"`
	MarkCompacted       bool               `json:"mark_compacted,omitempty"`
	BumpAutomatic       bool               `json:"bump_automatic,omitempty"` // bumped because of Kubernetes data
	Kubernetes          bool               `json:"kubernetes"`               // the data holds /registry/ keys
	Point               *PointResult       `json:"point_in_time,omitempty"`  // what the journal replayed
	Steps               map[string]float64 `json:"step_seconds"`
}

// Validate checks the options the way etcd checks a new member, before any download.
func (ro RestoreOptions) Validate() error {
	if ro.DataDir == "" {
		return errors.New("no data dir")
	}
	if (ro.BumpRevision > 0) != ro.MarkCompacted {
		return errors.New("--bump-revision and --mark-compacted go together")
	}
	if _, err := ro.Members(); err != nil {
		return err
	}
	peers, err := types.NewURLs(ro.PeerURLs)
	if err != nil {
		return fmt.Errorf("peer URLs: %w", err)
	}
	ics, _ := types.NewURLsMap(ro.InitialCluster)
	sc := config.ServerConfig{Name: ro.Name, PeerURLs: peers, InitialPeerURLsMap: ics,
		InitialClusterToken: ro.InitialClusterToken, Logger: zap.NewNop()}
	return sc.VerifyBootstrap()
}

// Members lists the initial cluster by name.
func (ro RestoreOptions) Members() ([]Member, error) {
	ics, err := types.NewURLsMap(ro.InitialCluster)
	if err != nil {
		return nil, fmt.Errorf("initial cluster %q: %w", ro.InitialCluster, err)
	}
	var ms []Member
	for name, urls := range ics {
		ms = append(ms, Member{Name: name, PeerURLs: urls.StringSlice()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms, nil
}

// Restore builds ro.DataDir from the backup. It refuses a non-empty DataDir before anything else and
// leaves it untouched. The snapshot is verified into a temporary file beside DataDir, restored into
// a temporary directory there (the file becoming its database), and moved into place only when
// everything succeeded.
func Restore(ctx context.Context, o Options, m *catalog.Manifest, ro RestoreOptions) (*RestoreResult, error) {
	o.defaults()
	if err := ro.Validate(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := CheckEmpty(ro.DataDir); err != nil {
		return nil, err
	}
	res, err := restore(ctx, &o, m, ro, nil)
	return res, wrap(err, "restore", &o, m)
}

// prepareFunc changes the verified plain snapshot before it is restored (a point-in-time restore
// replays the journal into it).
type prepareFunc func(ctx context.Context, plain string, res *RestoreResult) error

func restore(ctx context.Context, o *Options, m *catalog.Manifest, ro RestoreOptions, prepare prepareFunc) (*RestoreResult, error) {
	res := newResult(m, ro)
	w, err := newWorkDir(ro.DataDir, o.Logger)
	if err != nil {
		return nil, err
	}
	defer w.remove()
	plain := filepath.Join(w.dir, plainName)
	t := time.Now()
	if _, err := writePlain(ctx, o, m, plain); err != nil {
		return nil, err
	}
	step(res.Steps, StepDownload, t)
	if prepare != nil {
		if err := prepare(ctx, plain, res); err != nil {
			return nil, err
		}
	}
	if res.Kubernetes, err = hasRegistryKeys(ctx, plain); err != nil {
		return nil, err
	}
	if ro.AutoBump && ro.BumpRevision == 0 && res.Kubernetes {
		ro.BumpRevision, ro.MarkCompacted = KubernetesBump, true
		res.bump(ro.BumpRevision)
	}
	t = time.Now()
	// The verified snapshot becomes the restored member's database, where etcd's restore would
	// copy it, and the restore is finished there (restore_inplace.go): the whole database is
	// written once, as etcdutl writes it.
	db := memberDB(w.data)
	if err := makeMemberDBDir(w.data); err != nil {
		return nil, fmt.Errorf("restore work dir: %w", err)
	}
	if err := os.Rename(plain, db); err != nil {
		return nil, fmt.Errorf("restore work dir: %w", err)
	}
	err = finishRestore(ctx, quiet(o.Logger, "restore"), snapshot.RestoreConfig{
		SnapshotPath: db, Name: ro.Name, OutputDataDir: w.data, PeerURLs: ro.PeerURLs,
		InitialCluster: ro.InitialCluster, InitialClusterToken: ro.InitialClusterToken,
		RevisionBump: ro.BumpRevision, MarkCompacted: ro.MarkCompacted,
		SkipHashCheck: true, // the whole file, trailer included, matched the manifest's sha256
	}, w.lock)
	if err != nil {
		return nil, fmt.Errorf("restore into %s: %w", w.data, err)
	}
	if err := privatize(w.data); err != nil {
		return nil, fmt.Errorf("restored data %s: %w", w.data, err)
	}
	if err := ctx.Err(); err != nil { // the last moment to stop with nothing in place
		return nil, err
	}
	if err := w.commit(ro.DataDir); err != nil {
		return nil, err
	}
	step(res.Steps, StepRestore, t)
	return res, nil
}

func newResult(m *catalog.Manifest, ro RestoreOptions) *RestoreResult {
	members, _ := ro.Members()
	abs, _ := filepath.Abs(ro.DataDir)
	return &RestoreResult{
		BackupID: m.ID, DataDir: abs, Name: ro.Name, PeerURLs: ro.PeerURLs,
		InitialCluster: ro.InitialCluster, InitialClusterToken: ro.InitialClusterToken, Members: members,
		Revision: m.Snapshot.Revision + int64(ro.BumpRevision), TotalKeys: m.Snapshot.TotalKeys,
		BumpRevision: ro.BumpRevision, MarkCompacted: ro.MarkCompacted, Steps: map[string]float64{},
	}
}

// bump records a revision bump chosen for Kubernetes data.
func (r *RestoreResult) bump(n uint64) {
	r.Revision += int64(n)
	r.BumpRevision, r.MarkCompacted, r.BumpAutomatic = n, true, true
}
