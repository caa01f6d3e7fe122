package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/rekey"
)

func newRekeyCmd(g *globals) *cobra.Command {
	var (
		all          bool
		from, output string
		recipients   []string
	)
	cmd := &cobra.Command{
		Use:   "rekey [ID|--all] --recipient FILE...",
		Short: "Encrypt backups to new recipients without decrypting their data",
		Long: `rekey rewrites the key packets of each chosen backup at every destination (or the one --from names):
the session key is decrypted with encryption.private_key and encrypted to the --recipient keys, and the
encrypted data is copied byte for byte; the snapshot is never decrypted. The result is a new backup, with
the same time and revision and a new ID, whose manifest records the new recipients. The old backup is
deleted only after the new one verified (size and sha256; with a private key among the new recipients, a
quick verification too). Exit 1 names each backup and destination that failed.`,
		Args: oneBackupArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := rekeyArg(args, all, recipients)
			if err != nil {
				return err
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return g.rekey(ctx, ref, from, output, recipients)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "rekey every committed backup")
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "public key file of a new recipient (repeat for several)")
	cmd.Flags().StringVar(&from, "from", "", "the one destination to rekey, by URL or index (default: every destination)")
	addOutputFlag(cmd, &output)
	return cmd
}

// rekeyArg checks the arguments and returns the backup ID, or "" for --all.
func rekeyArg(args []string, all bool, recipients []string) (string, error) {
	switch {
	case len(recipients) == 0:
		return "", usageError{errors.New("rekey: give the new recipients' public keys with --recipient FILE")}
	case all && len(args) > 0:
		return "", usageError{errors.New("rekey: give a backup ID or --all, not both")}
	case all:
		return "", nil
	case len(args) == 0:
		return "", usageError{errors.New("rekey: give a backup ID, or --all")}
	}
	if _, _, err := catalog.ParseID(args[0]); err != nil {
		return "", usageError{err}
	}
	return args[0], nil
}

func (g *globals) rekey(ctx context.Context, ref, from, output string, recipients []string) error {
	a, err := g.newAppWithStores(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	set, err := a.dests.Pick(from)
	if err != nil {
		return usageError{err}
	}
	id, err := a.cfg.Identity()
	if err != nil {
		return err
	}
	to, err := crypto.LoadRecipients(recipients)
	if err != nil {
		return usageError{fmt.Errorf("--recipient: %w", err)}
	}
	vo := a.cfg.VerifyOptions(id)
	vo.Logger = a.lg.Named("verify")
	rows, err := rekey.Run(ctx, set, ref, rekey.Options{Identity: id, Recipients: to, Verify: vo})
	if perr := printRekeyed(g.stdout, output, rows); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}
