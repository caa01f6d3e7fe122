package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// minimalDefaults is what a file with only cluster_name, one destination and
// encryption.disabled decodes to.
func minimalDefaults() *Config {
	return &Config{
		ClusterName: "c1",
		Etcd: Etcd{
			Endpoints:   []string{"https://127.0.0.1:2379"},
			CACert:      "/etc/kubernetes/pki/etcd/ca.crt",
			Cert:        "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
			Key:         "/etc/kubernetes/pki/etcd/healthcheck-client.key",
			DialTimeout: Duration(5 * time.Second), SnapshotTimeout: Duration(time.Hour),
			SnapshotFrom: "follower",
		},
		Schedule:         Schedule{Backup: "@hourly", Verify: "@monthly"},
		SpoolDir:         "/var/lib/etcd-backupd",
		Compression:      "zstd",
		CompressionLevel: "fastest",
		Encryption:       Encryption{Disabled: true},
		Destinations:     []Destination{{URL: "file:///var/backups/etcd"}},
		Verify:           Verify{ScratchDir: "/var/lib/etcd-backupd/drill"},
		HTTP:             HTTP{Listen: "127.0.0.1:9479"},
		HA:               HA{Prefix: "/etcd-backupd/", TTL: Duration(10 * time.Second)},
		Log:              Log{Level: "info"},
		Maintenance:      defaultMaintenance(),
		Journal:          Journal{SegmentMaxAge: Duration(5 * time.Second), SegmentMaxBytes: "16MiB"},
		Kit: Kit{Paths: []string{"/etc/kubernetes/pki/etcd", "/etc/kubernetes/manifests/etcd.yaml",
			"/etc/kubernetes/manifests/kube-apiserver.yaml"}, EncryptionConfig: "auto"},
	}
}

const minimalYAML = "cluster_name: c1\ndestinations: [{url: 'file:///var/backups/etcd'}]\nencryption: {disabled: true}\n"

func TestDefaultsMinimal(t *testing.T) {
	c := Default()
	if errs, _ := decode([]byte(minimalYAML), c); len(errs) > 0 {
		t.Fatalf("decode: %v", errs)
	}
	c.finish("/etc/etcd-backupd")
	if want := minimalDefaults(); !reflect.DeepEqual(c, want) {
		t.Fatalf("minimal config =\n%+v\nwant\n%+v", c, want)
	}
}

func TestParseMinimal(t *testing.T) {
	f := needFixture(t)
	plainEtcd := "etcd: {endpoints: ['http://127.0.0.1:2379'], cacert: '', cert: '', key: ''}\n"
	cases := []struct {
		name string
		yaml string
		edit func(c *Config)
	}{
		{"encryption disabled", minimalYAML + plainEtcd, func(c *Config) {}},
		{"one recipient, no drills", "cluster_name: c1\ndestinations: [{url: 'file:///var/backups/etcd'}]\n" +
			"encryption: {recipients: [recipient.asc]}\nschedule: {verify: ''}\n" + plainEtcd,
			func(c *Config) {
				c.Encryption = Encryption{Recipients: []string{f.pub}}
				c.Schedule.Verify = ""
			}},
		{"spool dir moves scratch dir", minimalYAML + plainEtcd + "spool_dir: /srv/spool/\n",
			func(c *Config) { c.SpoolDir, c.Verify.ScratchDir = "/srv/spool", "/srv/spool/drill" }},
		{"null keeps defaults", minimalYAML + plainEtcd + "retention:\nlog: {level: ~}\nhttp:\n",
			func(c *Config) {}},
		{"retention off, default rules", minimalYAML + plainEtcd + "retention: {enabled: false}\n",
			func(c *Config) { c.Retention = &Retention{Enabled: new(false)} }},
		{"compression level", minimalYAML + plainEtcd + "compression_level: best\n",
			func(c *Config) { c.CompressionLevel = "best" }},
		{"compression level without compression", minimalYAML + plainEtcd + "compression: none\ncompression_level: better\n",
			func(c *Config) { c.Compression, c.CompressionLevel = "none", "better" }},
		{"empty strings turn off", minimalYAML + plainEtcd + "http: {listen: ''}\nschedule: {verify: ''}\n",
			func(c *Config) { c.HTTP.Listen, c.Schedule.Verify = "", "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), filepath.Join(f.dir, "config.yaml"))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := minimalDefaults()
			want.Etcd.Endpoints = []string{"http://127.0.0.1:2379"}
			want.Etcd.CACert, want.Etcd.Cert, want.Etcd.Key = "", "", ""
			tc.edit(want)
			if !reflect.DeepEqual(c, want) {
				t.Fatalf("Parse =\n%+v\nwant\n%+v", c, want)
			}
		})
	}
}

func TestLoadResolvesRelativePaths(t *testing.T) {
	f := needFixture(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o700); err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{f.ca: "pki/ca.crt", f.cert: "pki/c.crt", f.key: "pki/c.key", f.pub: "r.asc"} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "cluster_name: c1\ndestinations: [{url: 'file:///b'}]\nschedule: {verify: ''}\n" +
		"etcd: {cacert: pki/ca.crt, cert: ./pki/c.crt, key: pki/../pki/c.key}\nencryption: {recipients: [r.asc]}\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := []string{c.Etcd.CACert, c.Etcd.Cert, c.Etcd.Key, c.Encryption.Recipients[0]}
	want := []string{filepath.Join(dir, "pki/ca.crt"), filepath.Join(dir, "pki/c.crt"),
		filepath.Join(dir, "pki/c.key"), filepath.Join(dir, "r.asc")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resolved paths %v, want %v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{filepath.Join(dir, "none.yaml"), "load config: open " + filepath.Join(dir, "none.yaml")},
		{big, "larger than 1048576 bytes"},
		{dir, "is a directory"},
	}
	for _, tc := range cases {
		_, err := Load(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("Load(%s) error = %v; want it to contain %q", tc.path, err, tc.want)
		}
	}
}
