package check

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// noDeleteStore refuses every delete with an error of kind, as a put-only identity is refused.
type noDeleteStore struct {
	storage.Store
	kind storage.ErrorKind
}

func (s noDeleteStore) Delete(ctx context.Context, key string) error {
	return &storage.KindError{Kind: s.kind, Err: errors.New("delete " + key + ": refused")}
}

// TestProbeWithoutDeletePermission: where this node deletes nothing (retention.enabled: false), a
// probe delete refused for permission is an OK finding that says so; anywhere else, or refused
// for another cause, it stays critical.
func TestProbeWithoutDeletePermission(t *testing.T) {
	cases := []struct {
		name     string
		noDelete bool
		kind     storage.ErrorKind
		sev      Severity
		msg      string
		row      string
	}{
		{"retention disabled", true, storage.KindPermission, OK, "no delete permission, as retention.enabled: false allows", ProbeNoDelete},
		{"retention enabled", false, storage.KindPermission, Critical, "write-read-delete probe failed", ""},
		{"retention disabled, another failure", true, storage.KindNetwork, Critical, "write-read-delete probe failed", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := store(t)
			commit(t, d, testNow.Add(-10*time.Minute))
			d.Catalog = catalog.New(noDeleteStore{Store: d.Catalog.Store, kind: tc.kind}, testCluster)
			d.NoDelete = tc.noDelete
			st := Inspect(context.Background(), d)
			fs := backupFindings(st, schedules(t, ""), DefaultThresholds(), testNow)
			if fs[0].Severity != tc.sev || !strings.Contains(fs[0].Message, tc.msg) {
				t.Fatalf("probe finding %+v, want %s containing %q", fs[0], tc.sev, tc.msg)
			}
			row := destinationRow(st)
			if tc.row != "" && row.Probe != tc.row {
				t.Fatalf("destination row probe %q, want %q", row.Probe, tc.row)
			}
			if tc.row == "" && !strings.Contains(row.Probe, "delete") {
				t.Fatalf("destination row probe %q, want the delete's error", row.Probe)
			}
			if tc.sev == OK && Worst(fs) == Critical {
				t.Fatalf("findings %+v, want nothing critical", fs)
			}
		})
	}
}
