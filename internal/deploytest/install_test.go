package deploytest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// TestMakeInstall runs `make install` into a DESTDIR, with a stand-in binary so that the
// build step is not run.
func TestMakeInstall(t *testing.T) {
	makeTool := testgate.Require(t, "make")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, bindir := range []string{"", "/usr/bin"} {
		t.Run("BINDIR="+bindir, func(t *testing.T) {
			dest := t.TempDir()
			args := []string{"-C", testgate.RepoRoot(), "-o", "build", "install", "DESTDIR=" + dest, "BIN=" + exe}
			want := installedBinary
			if bindir != "" {
				args = append(args, "BINDIR="+bindir)
				want = filepath.Join(bindir, "etcd-backupd")
			}
			if out, err := exec.Command(makeTool, args...).CombinedOutput(); err != nil {
				t.Fatalf("make install: %v\n%s", err, out)
			}
			checkInstalled(t, dest, want[1:], exe, 0o755)
			checkInstalled(t, dest, "etc/etcd-backupd/config.yaml.example", filepath.Join(testgate.RepoRoot(), "configs/etcd-backupd.yaml"), 0o640)
			for _, u := range units {
				data := checkMode(t, dest, "lib/systemd/system/"+u.file, 0o644)
				if strings.Contains(u.file, ".service") && !bytes.Contains(data, []byte("ExecStart="+want+" ")) {
					t.Errorf("%s: ExecStart does not run %s", u.file, want)
				}
			}
		})
	}
}

// checkInstalled checks that rel under dest has mode and the content of src.
func checkInstalled(t *testing.T, dest, rel, src string, mode os.FileMode) {
	t.Helper()
	got := checkMode(t, dest, rel, mode)
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: content differs from %s", rel, src)
	}
}

func checkMode(t *testing.T, dest, rel string, mode os.FileMode) []byte {
	t.Helper()
	p := filepath.Join(dest, rel)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatalf("installed file: %v", err)
	}
	if st.Mode().Perm() != mode {
		t.Errorf("%s: mode %o, want %o", rel, st.Mode().Perm(), mode)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
