package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/journal"
)

// walDir is what a file destination's journal folder holds.
type walDir struct {
	segments []segmentStat // one per manifest
	data     []string      // data objects' names
	other    int64         // anything else
}

// orphans are the data objects no manifest names (a write cut short).
func (w *walDir) orphans() int64 {
	named := map[string]bool{}
	for _, s := range w.segments {
		named[filepath.Base(s.m.Object.Key)] = true
	}
	var n int64
	for _, d := range w.data {
		if !named[d] {
			n++
		}
	}
	return n
}

// segmentStat is one committed segment and when its manifest was written (the commit).
type segmentStat struct {
	m         *journal.Manifest
	committed time.Time
}

// exposure is how long the segment's first revision waited, from its reception to the commit:
// the journal's lag just before the commit.
func (s segmentStat) exposure() time.Duration { return s.committed.Sub(s.m.FirstTime) }

func scanWAL(dir string) (*walDir, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	w := &walDir{}
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".json"):
			s, err := readSegment(filepath.Join(dir, name))
			if err != nil {
				return nil, err
			}
			w.segments = append(w.segments, s)
		case strings.Contains(name, ".jnl"):
			w.data = append(w.data, name)
		default:
			w.other++
		}
	}
	return w, nil
}

func readSegment(path string) (segmentStat, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return segmentStat{}, err
	}
	m, err := journal.DecodeManifest(data)
	if err != nil {
		return segmentStat{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return segmentStat{}, err
	}
	return segmentStat{m: m, committed: st.ModTime()}, nil
}

// runWAL counts what a file destination's journal folder holds: objects (manifests, data, anything
// else) and, from the manifests, the segments' events and sizes and their exposure.
func runWAL(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("wal", flag.ExitOnError)
	dir := fs.String("dir", "", "<store>/<cluster>/wal of a file destination")
	maxBytes := fs.Int64("max-bytes", journal.DefaultMaxBytes, "segment_max_bytes: a segment this large was sealed by size")
	fs.Parse(args)
	w, err := scanWAL(*dir)
	if err != nil {
		return err
	}
	var revisions, events, plain, stored, bySize int64
	var exposures []time.Duration
	for _, s := range w.segments {
		revisions += int64(s.m.Revisions)
		events += int64(s.m.Events)
		plain += s.m.Plain.Size
		stored += s.m.Object.Size
		if s.m.Plain.Size >= *maxBytes {
			bySize++
		}
		exposures = append(exposures, s.exposure())
	}
	slices.Sort(exposures)
	r := report{out, "wal_"}
	r.int("objects", int64(len(w.segments)+len(w.data))+w.other)
	r.int("manifests", int64(len(w.segments)))
	r.int("data", int64(len(w.data)))
	r.int("orphans", w.orphans())
	r.int("other", w.other)
	r.int("revisions", revisions)
	r.int("events", events)
	r.int("plain_bytes", plain)
	r.int("stored_bytes", stored)
	r.int("sealed_by_size", bySize)
	if n := len(exposures); n > 0 {
		r.float("exposure_p50_s", exposures[n/2].Seconds())
		r.float("exposure_max_s", exposures[n-1].Seconds())
	}
	return nil
}
