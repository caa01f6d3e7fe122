package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// TestUploadErrorSaysItOnce: a destination that cannot take the upload fails with one error that
// names the key and the destination once, not once per layer.
func TestUploadErrorSaysItOnce(t *testing.T) {
	f := newFixture(t, 50)
	dir := filepath.Join(t.TempDir(), "gone")
	s, err := storage.Open(context.Background(), "file://"+dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil { // a file where the directory was
		t.Fatal(err)
	}
	f.opts.Destinations = append(f.opts.Destinations, catalog.New(s, "c1"))
	f.opts.Retries = 1
	res, err := Run(context.Background(), f.client, f.opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	bad := res.Dests[1].Err
	if bad == nil || strings.Count(bad.Error(), "upload ") != 1 || !strings.Contains(bad.Error(), dir) ||
		!strings.Contains(bad.Error(), "c1/snapshots/") {
		t.Fatalf("error %q: want one \"upload <key> to %s\"", bad, dir)
	}
}

// noMembers is a cluster that answers with an empty member list and no error.
type noMembers struct{ *cluster.Client }

func (noMembers) Members(context.Context) ([]cluster.Member, error) { return nil, nil }

// TestNoMemberIsAnError: a cluster that lists no member fails the backup with an error, never a nil
// result with a nil error.
func TestNoMemberIsAnError(t *testing.T) {
	f := newFixture(t, 10)
	res, err := Run(context.Background(), noMembers{f.client}, f.opts)
	if err == nil || res != nil || !strings.Contains(err.Error(), "no member to snapshot") {
		t.Fatalf("Run = %v, %v; want the error \"no member to snapshot\"", res, err)
	}
}
