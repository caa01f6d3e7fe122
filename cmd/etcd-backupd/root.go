package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/etcd-backupd/etcd-backupd/config"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// usageError marks a usage error (exit 2): a flag or argument the operator must fix. Errors in the
// config file and in the files it names are config errors (config.IsConfigError), exit 2 as well;
// everything else is an operation that failed (exit 1).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// globals are the flags every command shares.
type globals struct {
	configPath string
	stdout     io.Writer
	stderr     io.Writer
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "etcd-backupd",
		Short:         "Encrypted etcd backups to object storage, with restore drills",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := config.DefaultPath
	if env := os.Getenv("ETCD_BACKUPD_CONFIG"); env != "" {
		def = env
	}
	root.PersistentFlags().StringVarP(&g.configPath, "config", "c", def, "config file (env ETCD_BACKUPD_CONFIG)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.AddCommand(newVersionCmd(g), newConfigCmd(g), newRunOnceCmd(g), newListCmd(g), newRunCmd(g), newCheckCmd(g), newPruneCmd(g),
		newVerifyCmd(g), newFetchCmd(g), newRestoreCmd(g), newMaintainCmd(g), newRekeyCmd(g))
	return root
}

func execute(args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "etcd-backupd: %s\n", strings.TrimSpace(err.Error()))
	var ue usageError
	if errors.As(err, &ue) || config.IsConfigError(err) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitFailed
}

// loadConfig reads the config file; its errors are usage errors (exit 2).
func (g *globals) loadConfig() (*config.Config, error) { return g.loadConfigWith(config.Load) }

func (g *globals) loadConfigWith(load func(string) (*config.Config, error)) (*config.Config, error) {
	cfg, err := load(g.configPath)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}
