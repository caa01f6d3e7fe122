package snapstat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// statusEnv asks a re-executed binary to print the status of one snapshot file and exit.
const statusEnv = "ETCD_BACKUPD_SNAPSHOT_STATUS"

// RunChild serves a status request when this process was started as the status child, and then
// exits. Call it first thing in main and in TestMain; otherwise it returns at once.
func RunChild() {
	path := os.Getenv(statusEnv)
	if path == "" {
		return
	}
	st, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(Status{
		Hash: st.Hash, Revision: st.Revision, TotalKeys: st.TotalKey,
		TotalSize: st.TotalSize, StorageVersion: st.Version,
	})
	os.Exit(0)
}

// File runs etcd's own snapshot status library (what etcdutl snapshot status runs) on the file at
// path, in a child process (this binary, re-executed), so that a panic in bbolt on a corrupt file
// cannot take this process down. Deep verification checks a restored file with it; the stream
// scanner's result must equal it.
func File(ctx context.Context, path string) (Status, error) {
	var st Status
	exe, err := os.Executable()
	if err != nil {
		return st, fmt.Errorf("snapshot status %s: %w", path, err)
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), statusEnv+"="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return st, fmt.Errorf("snapshot status %s: %w: %s", path, err, headLines(stderr.String(), 5))
	}
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		return st, fmt.Errorf("snapshot status %s: decode child output: %w", path, err)
	}
	return st, nil
}

// headLines joins the first n lines of s: bbolt's check puts one problem per line.
func headLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], "; ")
}
