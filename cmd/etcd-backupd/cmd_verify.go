package main

import (
	"context"
	"errors"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/verify"
)

func newVerifyCmd(g *globals) *cobra.Command {
	var (
		deep, jrnl   bool
		from, output string
	)
	cmd := &cobra.Command{
		Use:   "verify [ID|latest]",
		Short: "Check a backup against its manifest; --deep also restores it and serves it from a throwaway etcd",
		Long: `Quick: download, decrypt and decompress the backup, and compare every checksum and size with the
manifest. --deep also runs snapshot status, restores into verify.scratch_dir, starts an embedded etcd on
the result and compares revision and key count; it reports the keys per Kubernetes resource. Each run
writes a drill record next to the backup. Exit 1 names the cause when the backup is bad.

--journal verifies the journal (continuous backup) at every destination instead: every segment's
manifest, stored checksum and, with the private key, its events; and the chain. With --deep it also
replays the journal from a backup up to the next backup's revision and compares the whole keyspace
with that backup.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := backupArg(args)
			if err != nil {
				return err
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if jrnl {
				if len(args) > 0 {
					return usageError{errors.New("verify --journal takes no backup ID")}
				}
				return g.verifyJournal(ctx, from, output, deep)
			}
			return g.verify(ctx, ref, from, output, deep)
		},
	}
	cmd.Flags().BoolVar(&deep, "deep", false, "also restore the backup and serve it from an embedded etcd")
	cmd.Flags().BoolVar(&jrnl, "journal", false, "verify the journal (continuous backup) instead of a backup")
	addFromFlag(cmd, &from)
	addOutputFlag(cmd, &output)
	return cmd
}

func addFromFlag(cmd *cobra.Command, from *string) {
	cmd.Flags().StringVar(from, "from", "", "the destination to read, by URL or index (default: the first that has the backup)")
}

func (g *globals) verify(ctx context.Context, ref, from, output string, deep bool) error {
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	o, m, err := g.openBackup(ctx, a, ref, from, "verify")
	if err != nil {
		return err
	}
	run := verify.Quick
	if deep {
		run = verify.Deep
	}
	d, err := run(ctx, o, m)
	if d != nil && ctx.Err() == nil {
		if perr := printDrill(g.stdout, output, o.Catalog.Store.String(), m, d); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// drillOutput is a drill record with the manifest figures it was compared with.
type drillOutput struct {
	Destination string `json:"destination"`
	*catalog.Drill
	Manifest *catalog.Manifest `json:"manifest"`
}
