package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

func newFetchCmd(g *globals) *cobra.Command {
	var out, from, output, kitDir string
	cmd := &cobra.Command{
		Use:   "fetch [ID|latest] -o FILE | --kit DIR",
		Short: "Write a verified plain snapshot .db (0600), ready for etcdutl, or the backup's restore kit",
		Long: `Downloads, decrypts and decompresses the backup into FILE.part and renames it to FILE only when
every checksum matched the manifest.

With --kit DIR, writes the backup's restore kit (the etcd PKI, manifests and the API server's
EncryptionConfiguration kept with it) under DIR, each file at its original path, private keys 0600.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := backupArg(args)
			if err != nil {
				return err
			}
			if out == "" && kitDir == "" {
				return usageError{errors.New("fetch: -o FILE or --kit DIR is required")}
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.fetch(ctx, ref, from, out, kitDir, output)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the snapshot file to write")
	cmd.Flags().StringVar(&kitDir, "kit", "", "write the backup's restore kit under this directory")
	addFromFlag(cmd, &from)
	addOutputFlag(cmd, &output)
	return cmd
}

// fetched is the JSON output of fetch.
type fetched struct {
	BackupID    string      `json:"backup_id"`
	Destination string      `json:"destination"`
	File        string      `json:"file,omitempty"`
	Size        int64       `json:"size,omitempty"`
	SHA256      string      `json:"sha256,omitempty"`
	Revision    int64       `json:"revision"`
	TotalKeys   int         `json:"total_keys"`
	Kit         *kitWritten `json:"kit,omitempty"`
}

func (g *globals) fetch(ctx context.Context, ref, from, file, kitDir, output string) error {
	a, err := g.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	o, m, err := g.openBackup(ctx, a, ref, from, "fetch")
	if err != nil {
		return err
	}
	f := fetched{BackupID: m.ID, Destination: o.Catalog.Store.String(), Revision: m.Snapshot.Revision,
		TotalKeys: m.Snapshot.TotalKeys}
	if kitDir != "" { // first: it is small, and a backup without one fails before a long download
		if f.Kit, err = writeKit(ctx, o, m.ID, kitDir); err != nil {
			return err
		}
	}
	if file != "" {
		s, err := verify.FetchFile(ctx, o, m, file)
		if err != nil {
			return err
		}
		f.File, f.Size, f.SHA256 = file, s.PlainSize, s.PlainSHA256
	}
	if output == outJSON {
		return writeJSON(g.stdout, f)
	}
	f.print(g.stdout)
	return nil
}

func (f *fetched) print(w io.Writer) {
	if f.Kit != nil {
		fmt.Fprintf(w, "Wrote the restore kit of backup %s:\n", f.BackupID)
		f.Kit.print(w)
	}
	if f.File != "" {
		fmt.Fprintf(w, "Wrote %s: backup %s, %s, revision %d, %d keys, sha256 %s (verified)\n",
			f.File, f.BackupID, humanize.IBytes(uint64(f.Size)), f.Revision, f.TotalKeys, f.SHA256)
		fmt.Fprintf(w, "Check it with: etcdutl snapshot status %s -w table\n", f.File)
	}
}
