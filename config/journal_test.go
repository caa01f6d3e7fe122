package config

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

func TestJournal(t *testing.T) {
	f := needFixture(t)
	c, err := parseWith(t, f, map[string]any{"journal.enabled": true, "journal.segment_max_age": "2s",
		"journal.segment_max_bytes": "1MiB"})
	if err != nil {
		t.Fatal(err)
	}
	o, on, err := c.JournalOptions()
	if err != nil || !on || o.MaxAge != 2*time.Second || o.MaxBytes != 1<<20 || o.Encoding.Recipients == nil ||
		o.Encoding.Compression != catalog.CompressionZstd || o.Cluster != c.ClusterName {
		t.Fatalf("JournalOptions = %+v, %v, %v", o, on, err)
	}
	dc, err := c.DaemonConfig()
	if err != nil || dc.Journal == nil || dc.Journal.MaxAge != 2*time.Second {
		t.Fatalf("DaemonConfig: journal %+v, %v", dc.Journal, err)
	}
	if mc, err := c.MaintainConfig(); err != nil || mc.Journal != nil {
		t.Fatalf("MaintainConfig records the journal: %+v, %v", mc.Journal, err)
	}
	if d, err := parseWith(t, f, nil); err != nil || d.Journal.Enabled {
		t.Fatalf("the journal is on by default (%v)", err)
	} else if _, on, _ := d.JournalOptions(); on {
		t.Fatal("JournalOptions on without journal.enabled")
	}
	for msg, set := range map[string]map[string]any{
		"journal.segment_max_age: 50ms: want 100ms to 1h": {"journal.segment_max_age": "50ms"},
		"journal.segment_max_age: 2h0m0s":                 {"journal.segment_max_age": "2h"},
		"journal.segment_max_bytes: 1KiB: want 64KiB":     {"journal.segment_max_bytes": "1KiB"},
		"journal.segment_max_bytes: 1GiB":                 {"journal.segment_max_bytes": "1GiB"},
		"journal.segment_max_bytes":                       {"journal.segment_max_bytes": "lots"},
	} {
		if _, err := parseWith(t, f, set); err == nil || !strings.Contains(err.Error(), msg) {
			t.Fatalf("%v: %v, want an error with %q", set, err, msg)
		}
	}
}
