package verify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stopBound is how soon after its context ends a run must have returned, and removed what it wrote.
const stopBound = time.Second

// TestCancelStopsPromptly cancels every long run at each of its stages, reading from a file store
// (whose reader never looks at a context) a backup of a 128 MiB database: the run returns the
// context's error within stopBound, reads next to nothing after the cancel, writes no drill
// record and leaves nothing behind.
func TestCancelStopsPromptly(t *testing.T) {
	f := newFixture(t, 0, 0, true)
	fillTo(t, f, 128<<20)
	m := f.backup()
	type run func(ctx context.Context, o Options, out string) error
	fetch := func(ctx context.Context, o Options, out string) error {
		_, err := FetchFile(ctx, o, m, filepath.Join(out, "snap.db"))
		return err
	}
	restore := func(ctx context.Context, o Options, out string) error {
		_, err := Restore(ctx, o, m, restoreOptions(filepath.Join(out, "data")))
		return err
	}
	quick := func(ctx context.Context, o Options, _ string) error { _, err := Quick(ctx, o, m); return err }
	deep := func(ctx context.Context, o Options, _ string) error { _, err := Deep(ctx, o, m); return err }
	cases := []struct {
		name string
		run  run
		at   string // a file whose appearance starts the stage, under out or the scratch dir; "" for the download
	}{
		{"quick", quick, ""},
		{"fetch", fetch, ""},
		{"restore download", restore, ""},
		{"restore step", restore, "data.restore-*/data/member/snap/db"},
		{"deep download", deep, ""},
		{"deep status", deep, statusChild},
		{"deep restore step", deep, "drill-*/data/member/wal*"},
		{"deep serve", deep, "drill-*/client.sock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, out := f.options(), t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tr := &trigger{cancel: cancel}
			switch c.at {
			case "":
				o.Progress = tr.atTenth
			case statusChild:
				go tr.whenChild(ctx, "ETCD_BACKUPD_SNAPSHOT_STATUS=")
			default:
				go tr.whenExists(ctx, []string{filepath.Join(out, c.at), filepath.Join(o.ScratchDir, c.at)})
			}
			err := c.run(ctx, o, out)
			took := tr.since()
			if tr.at.Load() == nil {
				t.Fatalf("the run ended (%v) before its stage began", err)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("run = %v, want context.Canceled", err)
			}
			if took > stopBound {
				t.Fatalf("returned %v after the cancel, want within %v", took, stopBound)
			}
			if n := tr.after.Load(); n > 16<<20 {
				t.Fatalf("read %d stored bytes after the cancel", n)
			}
			t.Logf("returned %v after the cancel", took)
			assertOnly(t, out)
			if left, _ := filepath.Glob(filepath.Join(o.ScratchDir, scratchPrefix+"*")); len(left) != 0 {
				t.Fatalf("left %v", left)
			}
			if recs, _ := f.cat.Store.List(context.Background(), f.cat.Layout.DrillsPrefix()); len(recs) != 0 {
				t.Fatalf("a cancelled run wrote a drill record: %v", recs)
			}
		})
	}
}

// trigger cancels a run at one moment of it and tells how long the run took to return after.
type trigger struct {
	cancel context.CancelFunc
	once   sync.Once
	at     atomic.Pointer[time.Time]
	after  atomic.Int64 // stored bytes read after the cancel
}

func (tr *trigger) fire() {
	tr.once.Do(func() {
		now := time.Now()
		tr.at.Store(&now)
		tr.cancel()
	})
}

// since is the time since the cancel; the test fails later if there was none.
func (tr *trigger) since() time.Duration {
	if at := tr.at.Load(); at != nil {
		return time.Since(*at)
	}
	return 0
}

// atTenth is an Options.Progress that cancels once a tenth of the stored object was read.
func (tr *trigger) atTenth(total int64) io.WriteCloser {
	return &progressTrigger{tr: tr, limit: total / 10}
}

type progressTrigger struct {
	tr    *trigger
	limit int64
	n     int64
}

func (p *progressTrigger) Write(b []byte) (int, error) {
	if p.tr.at.Load() != nil {
		p.tr.after.Add(int64(len(b)))
	}
	if p.n += int64(len(b)); p.n >= p.limit {
		p.tr.fire()
	}
	return len(b), nil
}

func (p *progressTrigger) Close() error { return nil }

// statusChild marks the stage during which etcd's status runs in a child process.
const statusChild = "(status child)"

// whenChild cancels as soon as a child of this process runs with env (NAME=) in its environment.
func (tr *trigger) whenChild(ctx context.Context, env string) {
	self := strconv.Itoa(os.Getpid())
	for ctx.Err() == nil {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, st := range stats {
			b, err := os.ReadFile(st)
			i := bytes.LastIndexByte(b, ')')
			if err != nil || i < 0 {
				continue
			}
			// After "pid (comm)": state, then the parent's pid.
			if f := strings.Fields(string(b[i+1:])); len(f) < 2 || f[1] != self {
				continue
			}
			environ, _ := os.ReadFile(filepath.Join(filepath.Dir(st), "environ"))
			if bytes.Contains(environ, []byte("\x00"+env)) {
				tr.fire()
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// whenExists cancels as soon as a file matches one of globs.
func (tr *trigger) whenExists(ctx context.Context, globs []string) {
	for ctx.Err() == nil {
		for _, g := range globs {
			if ms, _ := filepath.Glob(g); len(ms) > 0 {
				tr.fire()
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}
