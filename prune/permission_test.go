package prune

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/retention"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// refusingStore refuses every delete with an error of kind.
type refusingStore struct {
	storage.Store
	kind storage.ErrorKind
}

func (s refusingStore) Delete(ctx context.Context, key string) error {
	return &storage.KindError{Kind: s.kind, Err: errors.New("delete " + key + ": AccessDenied")}
}

// TestDeleteRefused: at a destination whose credentials may not delete, prune fails with
// ErrNoDeletePermission naming the destination and where to prune instead, and every object
// is left as it was; any other refusal is returned as it is.
func TestDeleteRefused(t *testing.T) {
	cases := []struct {
		name   string
		kind   storage.ErrorKind
		fill   func(f *fixture)
		policy retention.Policy
		denied bool
	}{
		{"backups the policy removes", storage.KindPermission, func(f *fixture) {
			for _, at := range hours(4) {
				f.backup(at)
			}
		}, retention.Policy{KeepLast: 1}, true},
		{"an orphan to sweep", storage.KindPermission, func(f *fixture) {
			f.backup(base)
			orphan := f.cat.Layout.DataKey(f.data(base.Add(time.Hour)), catalog.SuffixZstdPGP)
			f.age(orphan, now.Add(-48*time.Hour))
		}, retention.Policy{KeepLast: 10}, true},
		{"another kind of failure", storage.KindNetwork, func(f *fixture) {
			for _, at := range hours(2) {
				f.backup(at)
			}
		}, retention.Policy{KeepLast: 1}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.fill(f)
			before := f.tree()
			c := catalog.New(refusingStore{Store: f.store, kind: tc.kind}, cluster)
			r, err := Run(context.Background(), c, opts(tc.policy))
			if err == nil {
				t.Fatalf("Run with deletes refused succeeded: %+v", r)
			}
			if got := errors.Is(err, ErrNoDeletePermission); got != tc.denied {
				t.Fatalf("errors.Is(%q, ErrNoDeletePermission) = %v, want %v", err, got, tc.denied)
			}
			want := "prune at " + f.url + ": no permission to delete"
			if tc.denied && (!strings.HasPrefix(err.Error(), want) ||
				!strings.Contains(err.Error(), "run prune where the credentials may delete, and set retention.enabled: false")) {
				t.Fatalf("error %q, want it to start with %q and say where to prune", err, want)
			}
			if !tc.denied && strings.Contains(err.Error(), "no permission to delete") {
				t.Fatalf("a %s failure reported as a missing permission: %v", tc.kind, err)
			}
			if r.Error != err.Error() || r.Deleted != 0 {
				t.Fatalf("report: error %q, %d deleted", r.Error, r.Deleted)
			}
			if after := f.tree(); !maps.Equal(after, before) {
				t.Fatalf("objects changed by a prune whose deletes were refused:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}
