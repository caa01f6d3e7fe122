package verify

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// recordTimeout bounds the write of a drill record.
const recordTimeout = time.Minute

// Step names in drill records, in seconds.
const (
	StepDownload = "download" // read, decrypt, decompress and check the object
	StepStatus   = "status"   // snapshot status in a child process
	StepRestore  = "restore"  // build a data dir from the snapshot
	StepStart    = "start"    // start an embedded etcd on it
	StepCompare  = "compare"  // count its keys and compare with the manifest
	StepTotal    = "total"
)

// newDrill starts the record of one verification of m.
func newDrill(o *Options, m *catalog.Manifest, mode string) *catalog.Drill {
	return &catalog.Drill{
		BackupID:    m.ID,
		Mode:        mode,
		StartedAt:   o.Now().UTC(),
		Steps:       map[string]float64{},
		Figures:     map[string]int64{},
		ToolVersion: o.ToolVersion,
		Host:        host(),
	}
}

// step records how long a step took since t.
func step(steps map[string]float64, name string, t time.Time) {
	steps[name] = time.Since(t).Round(time.Millisecond).Seconds()
}

// sumFigures records the sizes seen in one pass.
func sumFigures(d *catalog.Drill, s Sums) {
	d.Figures["stored_bytes"] = s.StoredSize
	d.Figures["snapshot_bytes"] = s.PlainSize
}

// finish completes the record with the outcome and writes it to the catalog, unless ctx was
// cancelled: an interrupted verification is no verdict. A record that cannot be written is logged;
// the outcome of the verification stands.
func finish(ctx context.Context, o *Options, d *catalog.Drill, start time.Time, err error) (*catalog.Drill, error) {
	step(d.Steps, StepTotal, start)
	d.OK = err == nil
	if err != nil {
		d.Error = err.Error()
	}
	if ctx.Err() != nil {
		return d, err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if rerr := o.Catalog.RecordDrill(rctx, d); rerr != nil {
		o.Logger.Warn("could not write the drill record", zap.String("backup", d.BackupID),
			zap.String("destination", o.Catalog.Store.String()), zap.Error(rerr))
	}
	return d, err
}

// wrap prefixes err with what was done to which backup where.
func wrap(err error, what string, o *Options, m *catalog.Manifest) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s at %s: %w", what, m.ID, o.Catalog.Store, err)
}
