package journal

import (
	"os"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	gpgtest.Cleanup()
	os.Exit(code)
}
