package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

func newFetchCmd(g *globals) *cobra.Command {
	var out, from, output string
	cmd := &cobra.Command{
		Use:   "fetch [ID|latest] -o FILE",
		Short: "Write a verified plain snapshot .db (0600), ready for etcdutl",
		Long: `Downloads, decrypts and decompresses the backup into FILE.part and renames it to FILE only when
every checksum matched the manifest.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := backupArg(args)
			if err != nil {
				return err
			}
			if out == "" {
				return usageError{errors.New("fetch: -o FILE is required")}
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.fetch(ctx, ref, from, out, output)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the snapshot file to write")
	addFromFlag(cmd, &from)
	addOutputFlag(cmd, &output)
	return cmd
}

// fetched is the JSON output of fetch.
type fetched struct {
	BackupID    string `json:"backup_id"`
	Destination string `json:"destination"`
	File        string `json:"file"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Revision    int64  `json:"revision"`
	TotalKeys   int    `json:"total_keys"`
}

func (g *globals) fetch(ctx context.Context, ref, from, file, output string) error {
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	o, m, err := g.openBackup(ctx, a, ref, from, "fetch")
	if err != nil {
		return err
	}
	s, err := verify.FetchFile(ctx, o, m, file)
	if err != nil {
		return err
	}
	f := fetched{BackupID: m.ID, Destination: o.Catalog.Store.String(), File: file, Size: s.PlainSize,
		SHA256: s.PlainSHA256, Revision: m.Snapshot.Revision, TotalKeys: m.Snapshot.TotalKeys}
	if output == outJSON {
		return writeJSON(g.stdout, f)
	}
	fmt.Fprintf(g.stdout, "Wrote %s: backup %s, %s, revision %d, %d keys, sha256 %s (verified)\n",
		f.File, f.BackupID, humanize.IBytes(uint64(f.Size)), f.Revision, f.TotalKeys, f.SHA256)
	fmt.Fprintf(g.stdout, "Check it with: etcdutl snapshot status %s -w table\n", f.File)
	return nil
}
