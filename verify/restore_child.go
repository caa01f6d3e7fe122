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

// restoreEnv asks a re-executed binary to run one etcdutl snapshot restore, whose childRequest it
// reads as JSON on stdin, and exit.
const restoreEnv = "ETCD_BACKUPD_SNAPSHOT_RESTORE"

// childRequest is what the restore child is asked to do.
type childRequest struct {
	Config snapshot.RestoreConfig `json:"config"`
	// InPlace: the snapshot is already the member's database in Config.OutputDataDir; finish the
	// restore there (restoreInPlace) rather than copy it from Config.SnapshotPath.
	InPlace bool `json:"in_place,omitempty"`
}

// RunChild serves a restore request when this process was started as the restore child, and then
// exits. Call it first thing in main and in TestMain, before any flag is parsed; otherwise it
// returns at once.
func RunChild() {
	if os.Getenv(restoreEnv) != "" {
		os.Exit(restoreChild())
	}
}

func restoreChild() int {
	var req childRequest
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "decode the restore config:", err)
		return 2
	}
	lg := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(os.Stderr), zapcore.WarnLevel))
	var err error
	if req.InPlace {
		err = restoreInPlace(lg, req.Config)
	} else {
		err = snapshot.NewV3(lg).Restore(req.Config)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// restoreSnapshot runs etcdutl's snapshot restore in a child process (this binary, re-executed):
// the library reads and writes the whole database without looking at a context, and only a
// process can be stopped mid-way. The child is killed when ctx ends or this process dies, and
// holds hold (the work dir's lock) while it lives, so that no one takes its files for leftovers.
// Warnings it prints go to lg.
func restoreSnapshot(ctx context.Context, lg *zap.Logger, cfg snapshot.RestoreConfig, hold *os.File) error {
	return runRestoreChild(ctx, lg, childRequest{Config: cfg}, hold)
}

// finishRestore is restoreSnapshot for a snapshot already moved to the member's database in
// cfg.OutputDataDir (memberDB): the child finishes the restore there, without a copy.
func finishRestore(ctx context.Context, lg *zap.Logger, cfg snapshot.RestoreConfig, hold *os.File) error {
	return runRestoreChild(ctx, lg, childRequest{Config: cfg, InPlace: true}, hold)
}

func runRestoreChild(ctx context.Context, lg *zap.Logger, req childRequest, hold *os.File) error {
	in, err := json.Marshal(req)
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
