package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // one substring per problem of the decoder, in order; validation's follow
	}{
		{"unknown key", "etcd:\n  endpoint: [https://a:1]\n", []string{"etcd.endpoint: unknown key at line 2 (did you mean endpoints?)"}},
		{"unknown top key", "retension:\n  keep_last: 1\n", []string{"retension: unknown key at line 1 (did you mean retention?)"}},
		{"unknown key far", "zzz: 1\n", []string{"zzz: unknown key at line 1"}},
		{"unknown key in list", "destinations:\n  - url: file:///a\n  - uri: file:///b\n", []string{"destinations[1].uri: unknown key at line 3 (did you mean url?)"}},
		{"unknown compression key", "compression_levl: best\n", []string{"compression_levl: unknown key at line 1 (did you mean compression_level?)"}},
		{"unknown retention key", "retention:\n  keep_dialy: 3\n", []string{"retention.keep_dialy: unknown key at line 2 (did you mean keep_daily?)"}},
		{"bad duration", "etcd:\n  dial_timeout: 5 sec\n", []string{`etcd.dial_timeout: invalid duration "5 sec" (line 2)`}},
		{"duration without unit", "ha:\n  ttl: 10\n", []string{`ha.ttl: invalid duration "10"`}},
		{"duration as list", "retention:\n  keep_within: [1h]\n", []string{"retention.keep_within: expected a duration such as 5s, got a list"}},
		{"duplicate key", "cluster_name: a\ncluster_name: b\n", []string{"cluster_name: duplicate key at line 2, first set at line 1"}},
		{"duplicate nested key", "log:\n  level: info\n  level: debug\n", []string{"log.level: duplicate key at line 3"}},
		{"two documents", "cluster_name: a\n---\ncluster_name: b\n", []string{"a second YAML document"}},
		{"not a mapping", "- a\n- b\n", []string{"config: expected a mapping, got a list"}},
		{"section not a mapping", "etcd: https://a:1\n", []string{`etcd: expected a mapping, got "https://a:1"`}},
		{"syntax error", "etcd: [a\n", []string{"yaml: line 1"}},
		{"list expected", "destinations: file:///x\n", []string{`destinations: expected a list, got "file:///x"`}},
		{"strings expected", "etcd:\n  endpoints: https://a:1\n", []string{"etcd.endpoints: expected a list of strings"}},
		{"string in list", "encryption:\n  recipients: [[a]]\n", []string{"encryption.recipients[0]: expected a string, got a list"}},
		{"integer expected", "retention:\n  keep_last: 4.5\n", []string{`retention.keep_last: expected an integer, got "4.5"`}},
		{"bool expected", "encryption:\n  disabled: maybe\n", []string{`encryption.disabled: expected true or false, got "maybe"`}},
		{"empty list entry", "destinations:\n  -\n", []string{"destinations[0]: empty entry"}},
		{"all at once", "etcd:\n  endpoint: [x]\n  dial_timeout: soon\nlog:\n  colour: true\n", []string{
			"etcd.endpoint: unknown key", `etcd.dial_timeout: invalid duration "soon"`, "log.colour: unknown key",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "/etc/etcd-backupd/config.yaml")
			if err == nil {
				t.Fatalf("Parse succeeded with %+v", c)
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %q does not wrap *Errors", err)
			}
			if len(*errs) < len(tc.want) {
				t.Fatalf("got %d problems, want at least %d:\n%v", len(*errs), len(tc.want), err)
			}
			for _, fe := range (*errs)[len(tc.want):] {
				if strings.Contains(fe.Msg, "line ") {
					t.Fatalf("an extra decoder problem %q:\n%v", fe, err)
				}
			}
			for i, w := range tc.want {
				if got := (*errs)[i].Error(); !strings.Contains(got, w) {
					t.Fatalf("problem %d\n  %s\nwant it to contain\n  %s", i, got, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "/etc/etcd-backupd/config.yaml: ") {
				t.Fatalf("error %q does not start with the source", err)
			}
		})
	}
}

func TestParseAliases(t *testing.T) {
	f := needFixture(t)
	data := "cluster_name: c1\n" +
		"etcd:\n  endpoints: &eps [http://127.0.0.1:2379]\n  cacert: ''\n  cert: ''\n  key: ''\n" +
		"encryption:\n  disabled: true\n" +
		"destinations:\n  - &d {url: 'file:///a'}\n" +
		"schedule: {backup: &s '@daily', verify: *s}\n"
	c, err := Parse([]byte(data), f.dir+"/config.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Schedule.Verify != "@daily" {
		t.Fatalf("schedule.verify = %q; want the aliased @daily", c.Schedule.Verify)
	}
}

// TestParseReportsEveryProblem: the decoder's problems (an unknown key above all) no longer hide
// the validation's; those of a value that could not be decoded are left out, since it kept a
// default the file did not ask for.
func TestParseReportsEveryProblem(t *testing.T) {
	f := needFixture(t)
	data := "cluster_name: prod\n" +
		"etcd:\n" +
		"  endpoint: [https://a:2379]\n" +
		"  endpoints: [https://a:70000]\n" +
		"  cacert: " + f.ca + "\n  cert: " + f.cert + "\n  key: " + f.key + "\n" +
		"compression: lz4\n" +
		"encryption: {recipients: [" + f.pub + "], private_key: " + f.secret + "}\n" +
		"destinations: [{url: 's3://b/p?endpoint=http://u:" + testPassword + "@h:9000'}]\n" +
		"retention:\n  keep_last: many\n" +
		"log:\n  colour: true\n"
	_, err := Parse([]byte(data), filepath.Join(f.dir, "config.yaml"))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error = %v, want *Errors", err)
	}
	want := []string{
		"etcd.endpoint: unknown key at line 3 (did you mean endpoints?)",
		`retention.keep_last: expected an integer, got "many" (line 12)`,
		"log.colour: unknown key at line 14",
		"etcd.endpoints[0]: port 70000 out of range",
		`compression: "lz4": use zstd or none`,
		`destinations[0].url: query parameter "endpoint": credentials do not belong in the URL`,
	}
	if len(*errs) != len(want) {
		t.Fatalf("got %d problems, want %d (no \"retention: every rule is 0\"):\n%v", len(*errs), len(want), err)
	}
	for i, w := range want {
		if got := (*errs)[i].Error(); !strings.HasPrefix(got, w) {
			t.Fatalf("problem %d\n  %s\nwant it to start with\n  %s", i, got, w)
		}
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Fatalf("error shows a secret:\n%v", err)
	}
}
