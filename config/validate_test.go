package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidateErrors(t *testing.T) {
	f := needFixture(t)
	missing := filepath.Join(f.dir, "missing")
	long := strings.Repeat("a", 64)
	now, dir := time.Now(), t.TempDir()
	expired := writeCert(t, dir, "expired", now.Add(-48*time.Hour), now.Add(-time.Hour))
	future := writeCert(t, dir, "future", now.Add(time.Hour), now.Add(48*time.Hour))
	s3 := func(url string) map[string]any {
		return map[string]any{"destinations": []any{map[string]any{"url": url}}}
	}
	cases := []struct {
		name string
		set  map[string]any
		want string // a substring of the error; it starts with the field path
	}{
		{"cluster name missing", map[string]any{"cluster_name": deleteKey{}}, "cluster_name: required"},
		{"cluster name charset", map[string]any{"cluster_name": "Prod_EU"}, `cluster_name: "Prod_EU": use lowercase`},
		{"cluster name dash end", map[string]any{"cluster_name": "prod-"}, `cluster_name: "prod-": use lowercase`},
		{"cluster name long", map[string]any{"cluster_name": long}, "cluster_name: longer than 63 characters"},
		{"no endpoints", map[string]any{"etcd.endpoints": []any{}}, "etcd.endpoints: at least one is required"},
		{"endpoint no scheme", map[string]any{"etcd.endpoints": []any{"127.0.0.1:2379"}}, "etcd.endpoints[0]: want an http(s)://host:port URL"},
		{"endpoint no port", map[string]any{"etcd.endpoints": []any{"https://a:1", "https://b"}}, "etcd.endpoints[1]: want an http(s)://host:port URL"},
		{"endpoint path", map[string]any{"etcd.endpoints": []any{"https://a:1/v3"}}, "etcd.endpoints[0]: want an http(s)://host:port URL"},
		{"endpoint twice", map[string]any{"etcd.endpoints": []any{"https://a:1", "https://a:1"}}, "etcd.endpoints[1]: same member as etcd.endpoints[0]"},
		{"endpoints mixed", map[string]any{"etcd.endpoints": []any{"https://a:1", "http://b:1"}}, "etcd.endpoints: mixes http:// and https://"},
		{"endpoint port too high", map[string]any{"etcd.endpoints": []any{"https://a:1", "https://b:70000"}}, "etcd.endpoints[1]: port 70000 out of range: want 1 to 65535"},
		{"endpoint port zero", map[string]any{"etcd.endpoints": []any{"https://a:0"}}, "etcd.endpoints[0]: port 0 out of range"},
		{"endpoint port not a number", map[string]any{"etcd.endpoints": []any{"https://a:2379x"}}, "etcd.endpoints[0]: want an http(s)://host:port URL"},
		{"cacert not a certificate", map[string]any{"etcd.cacert": f.pub}, "etcd.cacert: " + f.pub + ": no PEM certificate in it"},
		{"cacert expired", map[string]any{"etcd.cacert": expired}, "etcd.cacert: " + expired + `: certificate "expired" expired on`},
		{"cert expired", map[string]any{"etcd.cert": expired}, "etcd.cert: " + expired + `: certificate "expired" expired on`},
		{"cert not yet valid", map[string]any{"etcd.cert": future}, "etcd.cert: " + future + `: certificate "future" is not valid before`},
		{"cert is a key", map[string]any{"etcd.cert": f.key}, "etcd.cert: " + f.key + ": no PEM certificate in it"},
		{"cacert missing", map[string]any{"etcd.cacert": missing}, "etcd.cacert: stat " + missing + ": no such file or directory"},
		{"cert is a directory", map[string]any{"etcd.cert": f.dir}, "etcd.cert: " + f.dir + " is not a regular file"},
		{"key empty file", map[string]any{"etcd.key": f.empty}, "etcd.key: " + f.empty + " is empty"},
		{"cert without key", map[string]any{"etcd.key": ""}, "etcd.key: required when etcd.cert is set"},
		{"key without cert", map[string]any{"etcd.cert": ""}, "etcd.cert: required when etcd.key is set"},
		{"username without password", map[string]any{"etcd.username": "backup"}, "etcd.password_file: required when etcd.username is set"},
		{"username control", map[string]any{"etcd.username": "back\tup", "etcd.password_file": f.password}, "etcd.username: contains control characters"},
		{"password without username", map[string]any{"etcd.password_file": f.password}, "etcd.username: required when etcd.password_file is set"},
		{"password file missing", map[string]any{"etcd.username": "backup", "etcd.password_file": missing}, "etcd.password_file: stat " + missing},
		{"dial timeout zero", map[string]any{"etcd.dial_timeout": "0s"}, "etcd.dial_timeout: must be > 0"},
		{"snapshot timeout negative", map[string]any{"etcd.snapshot_timeout": "-1m"}, "etcd.snapshot_timeout: must be > 0"},
		{"snapshot from", map[string]any{"etcd.snapshot_from": "primary"}, `etcd.snapshot_from: "primary": use follower, leader or any`},
		{"backup schedule empty", map[string]any{"schedule.backup": ""}, "schedule.backup: required"},
		{"backup schedule fields", map[string]any{"schedule.backup": "* * * *"}, `schedule.backup: "* * * *": expected exactly 5 fields`},
		{"backup schedule never", map[string]any{"schedule.backup": "0 0 30 2 *"}, `schedule.backup: "0 0 30 2 *" never fires`},
		{"backup schedule zone", map[string]any{"schedule.backup": "CRON_TZ=Mars/Olympus @daily"}, `schedule.backup: "CRON_TZ=Mars/Olympus @daily": unknown time zone "Mars/Olympus"`},
		{"backup schedule newline", map[string]any{"schedule.backup": "@hourly\n"}, `schedule.backup: "@hourly\n": control characters are not allowed`},
		{"verify schedule every", map[string]any{"schedule.verify": "@every 0s"}, `schedule.verify: "@every 0s": @every needs a duration of at least 1s`},
		{"verify without key", map[string]any{"encryption.private_key": deleteKey{}}, `schedule.verify: restore drills need encryption.private_key; set it, or set schedule.verify: "" and run "etcd-backupd verify --deep" from a host that holds the key`},
		{"spool relative", map[string]any{"spool_dir": "var/lib/x"}, `spool_dir: "var/lib/x": must be an absolute path`},
		{"spool newline", map[string]any{"spool_dir": "/var/lib/x\n"}, `spool_dir: "/var/lib/x\n": control characters (such as NUL or a newline) in a path`},
		{"spool NUL", map[string]any{"spool_dir": "/var/lib/x\x00y"}, `spool_dir: "/var/lib/x\x00y": control characters`},
		{"scratch newline", map[string]any{"verify.scratch_dir": "/var/lib/x/\ndrill"}, `verify.scratch_dir: "/var/lib/x/\ndrill": control characters`},
		{"compression", map[string]any{"compression": "gzip"}, `compression: "gzip": use zstd or none`},
		{"compression level", map[string]any{"compression_level": "max"}, `compression_level: "max": use fastest, default, better or best`},
		{"compression level empty", map[string]any{"compression_level": ""}, `compression_level: "": use fastest, default, better or best`},
		{"no recipients", map[string]any{"encryption.recipients": []any{}}, "encryption.recipients: at least one OpenPGP public key file is required"},
		{"recipient missing", map[string]any{"encryption.recipients": []any{missing}}, "encryption.recipients[0]: stat " + missing},
		{"recipient sign only", map[string]any{"encryption.recipients": []any{f.pub, f.signOnly}}, "encryption.recipients[1]: load recipient key " + f.signOnly},
		{"recipient not a key", map[string]any{"encryption.recipients": []any{f.ca}}, "encryption.recipients[0]: load recipient key " + f.ca},
		{"recipient private key", map[string]any{"encryption.recipients": []any{f.secret}}, "encryption.recipients[0]: load recipient key " + f.secret},
		{"private key missing", map[string]any{"encryption.private_key": missing}, "encryption.private_key: stat " + missing},
		{"passphrase without key", map[string]any{"encryption.private_key": "", "encryption.passphrase_file": f.passphrase, "schedule.verify": ""}, "encryption.passphrase_file: set, but encryption.private_key is not"},
		{"passphrase missing", map[string]any{"encryption.passphrase_file": missing}, "encryption.passphrase_file: stat " + missing},
		{"no destinations", map[string]any{"destinations": []any{}}, "destinations: at least one is required"},
		{"destination url empty", map[string]any{"destinations": []any{map[string]any{"url": ""}}}, "destinations[0].url: required"},
		{"destination scheme", map[string]any{"destinations": []any{map[string]any{"url": "s3://b/x"}, map[string]any{"url": "ftp://host/x"}}}, `destinations[1].url: unsupported scheme "ftp"; use s3, gs, azblob or file`},
		{"destination relative file", map[string]any{"destinations": []any{map[string]any{"url": "file://var/backups"}}}, "destinations[0].url: file:// needs an absolute path"},
		{"destination no bucket", map[string]any{"destinations": []any{map[string]any{"url": "s3:///etcd"}}}, "destinations[0].url: s3:// URL names no bucket"},
		{"destination bad url", map[string]any{"destinations": []any{map[string]any{"url": "gs://b/%zz"}}}, "destinations[0].url: not a valid URL"},
		{"destination duplicate", map[string]any{"destinations": []any{map[string]any{"url": "file:///var/b"}, map[string]any{"url": "file:///var/b/"}}}, "destinations[1].url: same location as destinations[0]"},
		{"destination nested credentials", s3("s3://b/p?endpoint=http://user:" + testPassword + "@minio:9000"), `destinations[0].url: query parameter "endpoint": credentials do not belong in the URL`},
		{"destination nested encoded", s3("s3://b/p?endpoint=http%3A%2F%2Fuser%3A" + testPassword + "%40minio%3A9000"), `destinations[0].url: query parameter "endpoint": credentials do not belong`},
		{"destination nested secret", s3("s3://b/p?endpoint=https%3A%2F%2Fminio%2F%3Ftoken%3D" + testPassword), `destinations[0].url: query parameter "endpoint": secret parameter "token"`},
		{"destination deeper secret", s3("gs://b/p?universe_domain=http%3A%2F%2Fh%2F%3Fy%3Dhttp%253A%252F%252Fu%253A" + testPassword + "%2540h2"), `destinations[0].url: query parameter "universe_domain": parameter "y": credentials do not belong`},
		{"destination endpoint port", s3("s3://b/p?endpoint=http://minio:70000"), `destinations[0].url: query parameter "endpoint": port 70000 out of range`},
		{"destination endpoint scheme", s3("s3://b/p?endpoint=minio:9000"), `destinations[0].url: query parameter "endpoint": want an http(s)://host[:port] URL`},
		{"destination unknown s3 parameter", s3("s3://b/p?colour=blue"), `destinations[0].url: unknown query parameter "colour"`},
		{"destination s3 boolean", s3("s3://b/p?dualstack=maybe"), `destinations[0].url: query parameter "dualstack": "maybe" is not a boolean`},
		{"destination s3 sse", s3("s3://b/p?ssetype=rot13"), `destinations[0].url: query parameter "ssetype": "rot13"`},
		{"destination parameter twice", s3("s3://b/p?region=a&region=b"), `destinations[0].url: query parameter "region" is given more than once`},
		{"destination gs parameter", s3("gs://b/p?endpoint=http://h:1"), `destinations[0].url: unknown query parameter "endpoint"`},
		{"destination azblob protocol", s3("azblob://c/p?protocol=ftp"), `destinations[0].url: query parameter "protocol": "ftp": use http or https`},
		{"destination file query", s3("file:///var/b?mode=0700"), `destinations[0].url: unknown query parameter "mode": file URLs take none`},
		{"destination file newline", s3("file:///var/b%0Ax"), "destinations[0].url: control characters"},
		{"destination bucket path NUL", s3("s3://b/etcd%00x"), "destinations[0].url: control characters"},
		{"retention negative", map[string]any{"retention": map[string]any{"keep_daily": -1}}, "retention.keep_daily: must be >= 0"},
		{"retention within negative", map[string]any{"retention": map[string]any{"keep_last": 1, "keep_within": "-1h"}}, "retention.keep_within: must be >= 0"},
		{"retention all zero", map[string]any{"retention": map[string]any{"keep_last": 0}}, "retention: every rule is 0, so nothing would be kept"},
		{"retention enabled not a bool", map[string]any{"retention": map[string]any{"enabled": "sometimes"}}, `retention.enabled: expected true or false, got "sometimes"`},
		{"scratch relative", map[string]any{"verify.scratch_dir": "drill"}, `verify.scratch_dir: "drill": must be an absolute path`},
		{"listen no port", map[string]any{"http.listen": "localhost"}, `http.listen: "localhost": want host:port`},
		{"listen bad port", map[string]any{"http.listen": ":99999"}, `http.listen: ":99999": the port must be a number from 1 to 65535`},
		{"listen host space", map[string]any{"http.listen": "a b:80"}, `http.listen: "a b:80": want host:port`},
		{"ha prefix space", map[string]any{"ha.prefix": "/a b/"}, `ha.prefix: "/a b/": spaces and control characters are not allowed`},
		{"ha prefix", map[string]any{"ha.prefix": "/etcd-backupd"}, `ha.prefix: "/etcd-backupd": must start and end with '/'`},
		{"ha ttl short", map[string]any{"ha.ttl": "1s"}, "ha.ttl: 1s: must be at least 2s"},
		{"ha ttl fraction", map[string]any{"ha.ttl": "2500ms"}, "ha.ttl: 2.5s: must be a whole number of seconds"},
		{"log level", map[string]any{"log.level": "trace"}, `log.level: "trace": use debug, info, warn or error`},
		{"log format", map[string]any{"log.format": "text"}, `log.format: "text": use json or console`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseWith(t, f, tc.set)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want an error containing %q", c, tc.want)
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %q does not wrap *Errors", err)
			}
			if len(*errs) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(*errs), err)
			}
			if got := (*errs)[0].Error(); !strings.Contains(got, tc.want) {
				t.Fatalf("error\n  %s\nwant it to contain\n  %s", got, tc.want)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("error shows a secret:\n%v", err)
			}
		})
	}
}

func TestValidateKubeadmDefaults(t *testing.T) {
	f := needFixture(t)
	for _, p := range []string{DefaultCACert, DefaultCert, DefaultKey} {
		if fileExists(p) {
			t.Skipf("%s exists on this machine", p)
		}
	}
	_, err := parseWith(t, f, map[string]any{"etcd": map[string]any{}})
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error = %v; want *Errors", err)
	}
	want := []string{"etcd.cacert", "etcd.cert", "etcd.key"}
	if len(*errs) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(*errs), len(want), err)
	}
	for i, fe := range *errs {
		if fe.Field != want[i] || !strings.Contains(fe.Msg, "the kubeadm default path") {
			t.Fatalf("problem %d = %q; want field %s with the kubeadm hint", i, fe, want[i])
		}
	}
}

func TestValidateReportsAll(t *testing.T) {
	f := needFixture(t)
	_, err := parseWith(t, f, map[string]any{
		"etcd.username": "backup", "etcd.password_file": f.password, "etcd.dial_timeout": "0s",
		"compression": "lz4", "destinations": []any{map[string]any{"url": "s3://AKIAXXX:" + testPassword + "@bucket/x"}},
	})
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error = %v; want *Errors", err)
	}
	want := []string{"etcd.dial_timeout", "compression", "destinations[0].url"}
	if len(*errs) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(*errs), len(want), err)
	}
	for i, fe := range *errs {
		if fe.Field != want[i] {
			t.Fatalf("problem %d is about %s, want %s", i, fe.Field, want[i])
		}
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Fatalf("error shows a secret:\n%v", err)
	}
	if first, _, _ := strings.Cut(err.Error(), "\n"); !strings.HasSuffix(first, "3 problems:") {
		t.Fatalf("first line %q; want the source and the count", first)
	}
}
