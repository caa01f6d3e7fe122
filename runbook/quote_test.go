package runbook

import "testing"

func TestQuote(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/etc/kubernetes/pki/etcd/ca.crt", "/etc/kubernetes/pki/etcd/ca.crt"},
		{"--endpoints=https://a:2379,https://b:2379", "--endpoints=https://a:2379,https://b:2379"},
		{"/tmp/with space", "'/tmp/with space'"},
		{"it's", `'it'\''s'`},
		{"$(rm -rf /)", "'$(rm -rf /)'"},
	}
	for _, tc := range cases {
		if got := Quote(tc.in); got != tc.want {
			t.Fatalf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
