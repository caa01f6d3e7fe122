package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// restoreEnv asks a re-executed binary to finish one restore in place (restoreInPlace), whose
// etcdutl RestoreConfig it reads as JSON on stdin, and exit.
const restoreEnv = "ETCD_BACKUPD_SNAPSHOT_RESTORE"

// RunChild serves a restore request when this process was started as the restore child, and then
// exits. Call it first thing in main and in TestMain, before any flag is parsed; otherwise it
// returns at once.
func RunChild() {
	if os.Getenv(restoreEnv) != "" {
		os.Exit(restoreChild())
	}
}

func restoreChild() int {
	var cfg snapshot.RestoreConfig
	if err := json.NewDecoder(os.Stdin).Decode(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, "decode the restore config:", err)
		return 2
	}
	lg := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(os.Stderr), zapcore.WarnLevel))
	if err := restoreInPlace(lg, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// finishRestore finishes etcd's restore of the snapshot already at the member's database in
// cfg.OutputDataDir (memberDB), in a child process (this binary, re-executed): etcd's libraries
// read and write the whole database without looking at a context, and only a process can be
// stopped mid-way. The child is killed when ctx ends or this process dies, and holds hold (the
// work dir's lock) while it lives, so that no one takes its files for leftovers. Warnings it
// prints go to lg.
func finishRestore(ctx context.Context, lg *zap.Logger, cfg snapshot.RestoreConfig, hold *os.File) error {
	in, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), restoreEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.ExtraFiles = []*os.File{hold}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// Pdeathsig fires when the thread that started the child ends, not the process: keep it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err = cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	out := strings.TrimSpace(stderr.String())
	if err != nil {
		return fmt.Errorf("%w: %s", err, lastLines(out, 5))
	}
	if out != "" {
		lg.Warn("snapshot restore: " + out)
	}
	return nil
}

// lastLines joins the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "; ")
}
