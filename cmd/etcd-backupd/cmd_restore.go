package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// restoreFlags are the restore command's flags, named as etcdutl snapshot restore names them.
type restoreFlags struct {
	ro           verify.RestoreOptions
	peerURLs     string
	from, output string
	noBump       bool
}

func newRestoreCmd(g *globals) *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore [ID|latest] --data-dir DIR",
		Short: "Verify a backup and restore it into a new etcd data dir",
		Long: `Verifies the backup, restores it into a temporary directory beside DIR and moves it into place only
when everything succeeded. DIR must not exist or be empty; a non-empty DIR is refused and left untouched.
For a cluster of several members, run it on each member with the same backup ID, --initial-cluster and
--initial-cluster-token, and that member's --name and --initial-advertise-peer-urls; the command prints
the exact steps.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := backupArg(args)
			if err != nil {
				return err
			}
			if err := f.complete(); err != nil {
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
	addFromFlag(cmd, &f.from)
	addOutputFlag(cmd, &f.output)
	return cmd
}

// complete fills the defaults and checks the flags as etcd would; errors are usage errors.
func (f *restoreFlags) complete() error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
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
	o, m, err := g.openBackup(ctx, a, ref, f.from, "restore")
	if err != nil {
		return err
	}
	res, err := verify.Restore(ctx, o, m, f.ro)
	if err != nil {
		return err
	}
	out := newRestoreOutput(res, o.Catalog.Store.String(), g.restoreConfigFlag())
	if f.output == outJSON {
		return writeJSON(g.stdout, out)
	}
	return out.print(g.stdout)
}
