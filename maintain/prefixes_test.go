package maintain

import (
	"slices"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// TestLargestPrefixes scans known data over several pages: live keys only, summed per prefix.
func TestLargestPrefixes(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Options{Name: "prefixes"})
	cli := m.Client(t)
	put(t, cli, "/registry/events/ns-a/e-%04d", 600, 100)
	put(t, cli, "/registry/secrets/ns/s-%02d", 30, 1000)
	put(t, cli, "/registry/secrets/ns/s-%02d", 30, 20<<10) // overwritten: only the live values count
	put(t, cli, "/registry/pods/default/p-%d", 5, 1<<10)
	put(t, cli, "top-%d", 1, 10)
	// Sizes are keys plus values.
	events := PrefixUsage{"/registry/events", 600, 600 * (int64(len("/registry/events/ns-a/e-0000")) + 100)}
	secrets := PrefixUsage{"/registry/secrets", 30, 30 * (int64(len("/registry/secrets/ns/s-00")) + 20<<10)}
	pods := PrefixUsage{"/registry/pods", 5, 5 * (int64(len("/registry/pods/default/p-0")) + 1<<10)}
	top := PrefixUsage{"top-0", 1, int64(len("top-0")) + 10}
	c := newClient(t, nil, m.Endpoint)
	cases := []struct {
		depth, n int
		want     []PrefixUsage
	}{
		{2, 1, []PrefixUsage{secrets, events}}, // the largest by size, then the largest by count
		{2, 10, []PrefixUsage{secrets, events, pods, top}},
		{1, 1, []PrefixUsage{{"/registry", 635, events.Bytes + secrets.Bytes + pods.Bytes}}},
		{3, 1, []PrefixUsage{{"/registry/secrets/ns", 30, secrets.Bytes}, {"/registry/events/ns-a", 600, events.Bytes}}},
	}
	for _, tc := range cases {
		got, err := LargestPrefixes(testCtx(t), c, tc.depth, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("depth %d, n %d: got %v, want %v", tc.depth, tc.n, got, tc.want)
		}
	}
}
