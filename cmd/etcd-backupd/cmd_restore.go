package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

// restoreFlags are the restore command's flags, named as etcdutl snapshot restore names them.
type restoreFlags struct {
	ro           verify.RestoreOptions
	peerURLs     string
	from, output string
	noBump       bool
	toRevision   string // N or latest: a point-in-time restore from the journal
	toTime       string // RFC 3339
	point        *verify.Point
	kitDir       string // where the backup's restore kit is written back; "" not at all
}

func newRestoreCmd(g *globals) *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore [ID|latest] --data-dir DIR | restore --to-revision N|latest | --to-time TIME --data-dir DIR",
		Short: "Verify a backup and restore it into a new etcd data dir",
		Long: `Verifies the backup, restores it into a temporary directory beside DIR and moves it into place only
when everything succeeded. DIR must not exist or be empty; a non-empty DIR is refused and left untouched.
For a cluster of several members, run it on each member with the same backup ID, --initial-cluster and
--initial-cluster-token, and that member's --name and --initial-advertise-peer-urls; the command prints
the exact steps.

With --to-revision or --to-time, restores a point in time from the journal (continuous backup): the
newest full backup from which the journal reaches the target without a gap, then every revision up to
the target replayed exactly (revisions, versions and leases as they were). --to-time picks the last
revision received at or before TIME (RFC 3339).`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := backupArg(args)
			if err != nil {
				return err
			}
			if err := f.complete(len(args) > 0); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.restore(ctx, ref, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.ro.DataDir, "data-dir", "", "the data dir to create (must not exist or be empty)")
	fl.StringVar(&f.ro.Name, "name", "default", "this member's name")
	fl.StringVar(&f.ro.InitialCluster, "initial-cluster", "", "every member as name=peerURL,... (default: this member alone)")
	fl.StringVar(&f.ro.InitialClusterToken, "initial-cluster-token", "etcd-cluster", "the same on every member")
	fl.StringVar(&f.peerURLs, "initial-advertise-peer-urls", "http://localhost:2380", "this member's peer URLs, comma-separated")
	fl.Uint64Var(&f.ro.BumpRevision, "bump-revision", 0, "raise the revision by this much (with --mark-compacted); "+
		"default: 1000000000 when the backup holds Kubernetes data")
	fl.BoolVar(&f.noBump, "no-bump-revision", false, "keep the backup's revisions even for Kubernetes data (not advised)")
	fl.BoolVar(&f.ro.MarkCompacted, "mark-compacted", false, "mark the restored revision compacted (with --bump-revision)")
	fl.StringVar(&f.toRevision, "to-revision", "", "restore this revision from the journal, or latest: the newest journaled one")
	fl.StringVar(&f.toTime, "to-time", "", "restore the last revision the journal received at or before this time (RFC 3339)")
	fl.StringVar(&f.kitDir, "kit-dir", "", "also write the backup's restore kit under this directory, "+
		"each file at its original path (e.g. DIR/etc/kubernetes/pki/etcd/ca.crt)")
	addFromFlag(cmd, &f.from)
	addOutputFlag(cmd, &f.output)
	return cmd
}

// parsePoint reads --to-revision and --to-time; nil when neither is given.
func (f *restoreFlags) parsePoint(withID bool) (*verify.Point, error) {
	if f.toRevision == "" && f.toTime == "" {
		return nil, nil
	}
	switch {
	case f.toRevision != "" && f.toTime != "":
		return nil, errors.New("restore: --to-revision and --to-time: choose one")
	case withID:
		return nil, errors.New("restore: a backup ID and --to-revision or --to-time: the point picks its own backup; give one or the other")
	case f.toRevision == "latest":
		return &verify.Point{Latest: true}, nil
	case f.toRevision != "":
		n, err := strconv.ParseInt(f.toRevision, 10, 64)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("restore: --to-revision %q: want a revision (a positive number) or latest", f.toRevision)
		}
		return &verify.Point{Revision: n}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, f.toTime)
	if err != nil {
		return nil, fmt.Errorf("restore: --to-time %q: want RFC 3339, e.g. 2026-12-06T10:42:00Z", f.toTime)
	}
	return &verify.Point{Time: t}, nil
}

// complete fills the defaults and checks the flags as etcd would; errors are usage errors.
func (f *restoreFlags) complete(withID bool) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	p, err := f.parsePoint(withID)
	if err != nil {
		return usageError{err}
	}
	f.point = p
	f.ro.PeerURLs = strings.Split(f.peerURLs, ",")
	if f.ro.InitialCluster == "" {
		var parts []string
		for _, u := range f.ro.PeerURLs {
			parts = append(parts, f.ro.Name+"="+u)
		}
		f.ro.InitialCluster = strings.Join(parts, ",")
	}
	if f.ro.DataDir == "" {
		return usageError{errors.New("restore: --data-dir is required")}
	}
	if f.noBump && f.ro.BumpRevision > 0 {
		return usageError{errors.New("restore: --no-bump-revision and --bump-revision: choose one")}
	}
	f.ro.AutoBump = !f.noBump
	if err := f.ro.Validate(); err != nil {
		return usageError{fmt.Errorf("restore: %w", err)}
	}
	return nil
}

func (g *globals) restore(ctx context.Context, ref string, f restoreFlags) error {
	if err := verify.CheckEmpty(f.ro.DataDir); err != nil { // before anything else
		return err
	}
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	var res *verify.RestoreResult
	var o verify.Options
	if f.point != nil {
		var set *catalog.Set
		if o, set, err = g.openJournal(ctx, a, f.from, true); err != nil {
			return err
		}
		res, o, err = restorePoint(ctx, o, set, *f.point, f.ro)
	} else {
		var m *catalog.Manifest
		if o, m, err = g.openBackup(ctx, a, ref, f.from, "restore"); err != nil {
			return err
		}
		res, err = verify.Restore(ctx, o, m, f.ro)
	}
	if err != nil {
		return err
	}
	out := newRestoreOutput(res, o.Catalog.Store.String(), g.restoreConfigFlag())
	if f.kitDir != "" {
		if out.Kit, err = writeKit(ctx, o, res.BackupID, f.kitDir); err != nil {
			return fmt.Errorf("restored into %s, but the restore kit: %w", res.DataDir, err)
		}
		out.WithKit(f.kitDir)
	}
	if f.output == outJSON {
		return writeJSON(g.stdout, out)
	}
	return out.print(g.stdout)
}
