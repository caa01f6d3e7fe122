package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// fullYAML reads configs/etcd-backupd.yaml with its absolute file paths moved to the fixture's files.
func fullYAML(t *testing.T, f *fixture) []byte {
	t.Helper()
	data, err := os.ReadFile("../configs/etcd-backupd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(
		DefaultCACert, f.ca, DefaultCert, f.cert, DefaultKey, f.key,
		"/etc/etcd-backupd/backup.pub.asc", f.pub,
		"/etc/etcd-backupd/backup.key.asc", f.secret,
		"/etc/etcd-backupd/backup.passphrase", f.passphrase,
		"/etc/etcd-backupd/minio-ca.crt", f.ca,
	).Replace(string(data)))
}

func TestParseFull(t *testing.T) {
	f := needFixture(t)
	c, err := Parse(fullYAML(t, f), filepath.Join(f.dir, "config.yaml"))
	if err != nil {
		t.Fatalf("Parse full.yaml: %v", err)
	}
	want := &Config{
		ClusterName: "prod-eu1",
		Etcd: Etcd{
			Endpoints: []string{"https://127.0.0.1:2379"}, CACert: f.ca, Cert: f.cert, Key: f.key,
			DialTimeout: Duration(5 * time.Second), SnapshotTimeout: Duration(time.Hour), SnapshotFrom: "follower",
		},
		Schedule:         Schedule{Backup: "*/15 * * * *", Verify: "@monthly"},
		SpoolDir:         "/var/lib/etcd-backupd",
		Compression:      "zstd",
		CompressionLevel: "fastest",
		Encryption:       Encryption{Recipients: []string{f.pub}, PrivateKey: f.secret, PassphraseFile: f.passphrase},
		Destinations: []Destination{
			{URL: "s3://my-bucket/etcd?region=eu-west-1"},
			{URL: "s3://etcd-backups/prod?endpoint=https://minio.internal:9000&use_path_style=true&region=us-east-1",
				CAFile: f.ca, PartSize: "16MiB", UploadConcurrency: 4,
				ObjectLock: &ObjectLock{Mode: "governance", MinRetention: Duration(168 * time.Hour)}},
			{URL: "file:///var/backups/etcd"},
		},
		Retention: &Retention{Enabled: new(true), KeepLast: 4, KeepHourly: 24, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12},
		Verify:    Verify{ScratchDir: "/var/lib/etcd-backupd/drill"},
		HTTP:      HTTP{Listen: "127.0.0.1:9479"},
		HA:        HA{Prefix: "/etcd-backupd/", TTL: Duration(10 * time.Second)},
		Log:       Log{Level: "info", Format: "json"},
		Notify:    Notify{Format: "json"},
		Maintenance: Maintenance{FragmentedPercent: 45, FragmentedBytes: "100MiB", QuotaPercent: 80, BackupFirst: true,
			KeepRevisions: 10000, NoSpace: "alert", DefragTimeout: Duration(5 * time.Minute),
			RecoverTimeout: Duration(time.Minute)},
		Journal: Journal{Enabled: true, SegmentMaxAge: Duration(5 * time.Second), SegmentMaxBytes: "16MiB"},
		Kit: Kit{Paths: []string{"/etc/kubernetes/pki/etcd", "/etc/kubernetes/manifests/etcd.yaml",
			"/etc/kubernetes/manifests/kube-apiserver.yaml"}, EncryptionConfig: "auto"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Parse full.yaml =\n%+v\nwant\n%+v", c, want)
	}
}

// TestFullCoversEveryKey keeps the example complete: it names every key of Config, and no other.
func TestFullCoversEveryKey(t *testing.T) {
	data, err := os.ReadFile("../configs/etcd-backupd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	nodeKeys(doc.Content[0], "", &got)
	typeKeys(reflect.TypeFor[Config](), "", &want)
	slices.Sort(got)
	got = slices.Compact(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("full.yaml keys\n  %v\nConfig keys\n  %v", got, want)
	}
}

func nodeKeys(n *yaml.Node, path string, out *[]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			*out = append(*out, p)
			nodeKeys(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			nodeKeys(e, path+"[]", out)
		}
	}
}

func typeKeys(t reflect.Type, path string, out *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		p := join(path, yamlKey(f))
		*out = append(*out, p)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == durationType:
		case ft.Kind() == reflect.Struct:
			typeKeys(ft, p, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			typeKeys(ft.Elem(), p+"[]", out)
		}
	}
}
