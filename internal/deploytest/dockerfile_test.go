package deploytest

import (
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/imagebuild"
)

// TestDockerfile keeps the Dockerfile's image in step with make image's: same entrypoint, user,
// port and version stamp. (Building it needs a Docker engine.)
func TestDockerfile(t *testing.T) {
	df := string(ReadRepoFile(t, "Dockerfile"))
	mk := string(ReadRepoFile(t, "Makefile"))
	want := []string{
		"CGO_ENABLED=0 go build -trimpath",
		"-X github.com/etcd-backupd/etcd-backupd/internal/buildinfo.Version=${VERSION}",
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"COPY --from=build /out/etcd-backupd " + imagebuild.BinaryPath,
		"USER " + imagebuild.User,
		"EXPOSE " + imagebuild.MetricsPort,
		`ENTRYPOINT ["` + imagebuild.BinaryPath + `"]`,
		`CMD ["run"]`,
	}
	for _, w := range want {
		if !strings.Contains(df, w) {
			t.Errorf("Dockerfile: no %q", w)
		}
	}
	if !strings.Contains(mk, "-X $(PKG)/internal/buildinfo.Version=$(VERSION)") {
		t.Errorf("Makefile: the version ldflag changed; update the Dockerfile to match")
	}
}
