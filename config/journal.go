package config

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/journal"
)

// Journal configures continuous backup: every event, in segments, on the elected daemon.
type Journal struct {
	Enabled bool `yaml:"enabled"` // default false
	// SegmentMaxAge is the recovery point: a segment is sealed early enough to be committed within
	// this long of its first event. SegmentMaxBytes seals a segment earlier, at that many plain bytes.
	SegmentMaxAge   Duration `yaml:"segment_max_age"`   // default 5s
	SegmentMaxBytes string   `yaml:"segment_max_bytes"` // default 16MiB
}

func defaultJournal() Journal {
	return Journal{SegmentMaxAge: Duration(journal.DefaultMaxAge), SegmentMaxBytes: "16MiB"}
}

func (c *Config) validateJournal(errs *Errors) {
	j := c.Journal
	if d := j.SegmentMaxAge.D(); d < 100*time.Millisecond || d > time.Hour {
		errs.add("journal.segment_max_age", "%s: want 100ms to 1h", d)
	}
	n, err := ParseSize(j.SegmentMaxBytes)
	switch {
	case err != nil:
		errs.add("journal.segment_max_bytes", "%v", err)
	case n < 64<<10 || n > 256<<20:
		errs.add("journal.segment_max_bytes", "%s: want 64KiB to 256MiB (a segment is held in memory)", j.SegmentMaxBytes)
	}
}

// JournalOptions are the recorder's options, without the observer and the logger, which the daemon
// sets. ok is false when the journal is off.
func (c *Config) JournalOptions() (o journal.Options, ok bool, err error) {
	if !c.Journal.Enabled {
		return o, false, nil
	}
	rec, err := c.Recipients()
	if err != nil {
		return o, false, err
	}
	n, _ := ParseSize(c.Journal.SegmentMaxBytes) // validated
	return journal.Options{Cluster: c.ClusterName, MaxAge: c.Journal.SegmentMaxAge.D(), MaxBytes: n,
		Encoding: journal.Encoding{Compression: c.Compression, Recipients: rec}}, true, nil
}
