package check

import (
	"strings"
	"testing"
)

func TestNoSpaceRunbook(t *testing.T) {
	h := healthy()
	h.Members[1].Status.Leader, h.Members[0].Status.Leader, h.Members[2].Status.Leader = 0xa1, 0xa1, 0xa1
	down(h, 2)
	a := Access{Endpoints: []string{"https://127.0.0.1:2379"}, CACert: "/etc/pki/ca.crt", Cert: "/etc/pki/my client.crt",
		Key: "/etc/pki/client.key", Username: "root", PasswordFile: "/etc/etcd-backupd/pass"}
	steps := NoSpaceRunbook(h, a, "/etc/etcd-backupd/config.yaml")
	conn := `--cacert=/etc/pki/ca.crt '--cert=/etc/pki/my client.crt' --key=/etc/pki/client.key --user=root --password="$(cat /etc/etcd-backupd/pass)"`
	all := "etcdctl --endpoints=https://127.0.0.1:2379 " + conn
	one := func(ep string) string { return "etcdctl --endpoints=" + ep + " " + conn }
	want := [][]string{
		{"REV=$(" + all + ` get / --prefix --keys-only --limit=1 -w json | grep -o '"revision":[0-9]*' | head -1 | cut -d: -f2)`,
			`echo "current revision: $REV"`},
		{all + ` compact --physical "${REV:?no revision found}"`},
		{one("https://10.0.0.1:2379") + " --command-timeout=2m defrag   # m0 (follower)",
			one("https://10.0.0.1:2379") + " endpoint status -w table",
			"# m2 does not answer: defragment it the same way once it is back",
			one("https://10.0.0.2:2379") + " --command-timeout=2m defrag   # m1 (leader, last)",
			one("https://10.0.0.2:2379") + " endpoint status -w table"},
		{all + " endpoint status --cluster -w table", all + " alarm disarm", all + " alarm list"},
		{"etcd-backupd --config /etc/etcd-backupd/config.yaml check"},
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(steps), len(want))
	}
	for i, s := range steps {
		if strings.Join(s.Commands, "\n") != strings.Join(want[i], "\n") {
			t.Fatalf("step %d (%s):\n%s\nwant:\n%s", i+1, s.Title, strings.Join(s.Commands, "\n"), strings.Join(want[i], "\n"))
		}
	}
}
