package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"16777216", 16 << 20, false},
		{"16MiB", 16 << 20, false},
		{"16 MiB", 16 << 20, false},
		{"1GiB", 1 << 30, false},
		{"512KiB", 512 << 10, false},
		{"100MB", 100e6, false},
		{"0", 0, false},
		{"16XB", 0, true},
		{"-1MiB", 0, true},
		{"1.5MiB", 0, true},
		{"MiB", 0, true},
		{"99999999999GiB", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("ParseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

// TestDestinationOptions parses destinations with upload options and
// translates them for storage.Open.
func TestDestinationOptions(t *testing.T) {
	f := needFixture(t)
	dests := []any{
		map[string]any{"url": "s3://b/etcd?endpoint=https://minio.internal:9000&use_path_style=true",
			"ca_file": f.ca, "part_size": "64MiB", "upload_concurrency": 8, "upload_timeout": "2h", "stall_timeout": "90s"},
		map[string]any{"url": "file:///var/backups/etcd", "upload_timeout": "30m"},
	}
	c, err := parseWith(t, f, map[string]any{"destinations": dests})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	want := []storage.Options{
		{CAFile: f.ca, PartSize: 64 << 20, Concurrency: 8, UploadTimeout: 2 * time.Hour, StallTimeout: 90 * time.Second},
		{UploadTimeout: 30 * time.Minute},
	}
	for i, d := range c.Destinations {
		got, err := d.StoreOptions()
		if err != nil {
			t.Fatalf("destinations[%d].StoreOptions: %v", i, err)
		}
		if got != want[i] {
			t.Fatalf("destinations[%d].StoreOptions() = %+v, want %+v", i, got, want[i])
		}
	}
}

func TestDestinationOptionErrors(t *testing.T) {
	f := needFixture(t)
	missing := filepath.Join(f.dir, "missing.pem")
	expired := writeCert(t, t.TempDir(), "expired", time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
	s3 := "s3://b/etcd"
	tests := []struct {
		name string
		dest map[string]any
		want string
	}{
		{"ca_file missing", map[string]any{"url": s3, "ca_file": missing}, "destinations[0].ca_file: stat " + missing},
		{"ca_file empty", map[string]any{"url": s3, "ca_file": f.empty}, "destinations[0].ca_file: " + f.empty + " is empty"},
		{"ca_file on file://", map[string]any{"url": "file:///b", "ca_file": f.ca}, "destinations[0].ca_file: applies to s3, gs and azblob URLs, not file://"},
		{"ca_file not a certificate", map[string]any{"url": s3, "ca_file": f.pub}, "destinations[0].ca_file: " + f.pub + ": no PEM certificate in it"},
		{"ca_file expired", map[string]any{"url": s3, "ca_file": expired}, "destinations[0].ca_file: " + expired + `: certificate "expired" expired on`},
		{"part_size unit", map[string]any{"url": s3, "part_size": "16XB"}, `destinations[0].part_size: "16XB": want a number of bytes`},
		{"part_size s3 small", map[string]any{"url": s3, "part_size": "1MiB"}, "destinations[0].part_size: 1MiB: must be from 5MiB to 5GiB for s3"},
		{"part_size azblob large", map[string]any{"url": "azblob://c/x", "part_size": "5GiB"}, "destinations[0].part_size: 5GiB: must be from 1MiB to 4000MiB for azblob"},
		{"part_size on file://", map[string]any{"url": "file:///b", "part_size": "16MiB"}, "destinations[0]: part_size and upload_concurrency apply to s3, gs and azblob"},
		{"concurrency negative", map[string]any{"url": s3, "upload_concurrency": -1}, "destinations[0].upload_concurrency: -1: must be from 0"},
		{"concurrency large", map[string]any{"url": s3, "upload_concurrency": 65}, "destinations[0].upload_concurrency: 65: must be from 0"},
		{"timeout negative", map[string]any{"url": s3, "upload_timeout": "-1m"}, "destinations[0].upload_timeout: -1m0s: must not be negative"},
		{"stall negative", map[string]any{"url": s3, "stall_timeout": "-1s"}, "destinations[0].stall_timeout: -1s: must not be negative"},
		{"unknown key", map[string]any{"url": s3, "cafile": f.ca}, "destinations[0].cafile: unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseWith(t, f, map[string]any{"destinations": []any{tc.dest}})
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("parse error = %v, want *Errors", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parse error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}
