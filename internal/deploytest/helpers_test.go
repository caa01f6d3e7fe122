package deploytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// ReadRepoFile reads a file given relative to the repository root.
func ReadRepoFile(t testing.TB, rel string) []byte {
	t.Helper()
	root := testgate.RepoRoot()
	if root == "" {
		t.Fatalf("read %s: no go.mod above the working directory", rel)
	}
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return data
}
