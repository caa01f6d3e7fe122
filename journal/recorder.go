package journal

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Options configure a Recorder.
type Options struct {
	Cluster  string
	Encoding Encoding
	// MaxAge is the recovery point: a segment is sealed MaxAge after its first revision, less what
	// the last commit took (sealAfter). MaxBytes seals a segment earlier, at that many plain bytes.
	MaxAge   time.Duration
	MaxBytes int64
	// Retries and Backoff retry a segment's upload at one destination; UploadTimeout bounds each try.
	Retries       int
	Backoff       time.Duration
	UploadTimeout time.Duration
	// FlushTimeout bounds the upload of the last segments when Run stops.
	FlushTimeout time.Duration
	Observer     Observer // may be nil
	Logger       *zap.Logger
}

// Defaults of Options.
const (
	DefaultMaxAge   = 5 * time.Second
	DefaultMaxBytes = 16 << 20
)

func (o *Options) defaults() {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.UploadTimeout <= 0 {
		o.UploadTimeout = time.Minute
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

// Observer hears what the recorder does, for metrics.
type Observer interface {
	// Committed is called once a segment is committed at every destination.
	Committed(m *Manifest)
	// Throttled is called when storage is slower than etcd: the recorder stopped watching until a
	// segment was uploaded, and will watch again from where it was.
	Throttled()
}

// Start is where a recording starts.
type Start struct {
	Next     int64  // the first revision to record
	Previous string // the segment it continues; "" starts a chain
	Base     string // with Previous "": the backup the chain starts from (its ID revision is Next-1)
}

// GapError is returned by Run when etcd no longer holds the revision to watch from: the journal
// cannot continue without a gap, and the caller takes a full backup to start a new chain.
type GapError struct {
	Next      int64 // the revision the watch needed
	Compacted int64 // etcd's compaction revision
}

func (e *GapError) Error() string {
	return fmt.Sprintf("journal: revision %d was compacted (etcd is compacted up to %d): the chain is broken", e.Next, e.Compacted)
}

// Recorder writes every event of the cluster into segments at every destination.
type Recorder struct {
	etcd     *clientv3.Client
	journals []*Journal
	o        Options
	up       *uploader
	shared   atomic.Pointer[uploader] // up, for Lag from other goroutines
	zw       *zstd.Encoder
	cur      *segment
	st       Start
	ageTimer *time.Timer
	// openSince is when the open segment's first revision came (unix ns), 0 when it has none.
	openSince atomic.Int64
	waiting   *sealed // sealed while the uploader was busy; handed over once the watch stopped
	// lastSize is the last sealed segment's stored size: the next one's buffer starts that large.
	lastSize int
}

// NewRecorder returns a recorder watching etcd and writing to journals.
func NewRecorder(etcd *clientv3.Client, journals []*Journal, o Options) (*Recorder, error) {
	o.defaults()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<20))
	if err != nil {
		return nil, err
	}
	return &Recorder{etcd: etcd, journals: journals, o: o, zw: zw}, nil
}

// Lag is the age of the oldest revision received but not yet committed everywhere; 0 when none.
// It may be called from any goroutine.
func (r *Recorder) Lag() time.Duration {
	oldest := r.openSince.Load()
	if up := r.shared.Load(); up != nil {
		if t := up.oldest(); !t.IsZero() {
			oldest = t.UnixNano()
		}
	}
	if oldest == 0 {
		return 0
	}
	return time.Since(time.Unix(0, oldest))
}

// Next is the next revision the recorder will record.
func (r *Recorder) Next() int64 { return r.st.Next }

// errRewatch asks Run to watch again from the next revision, after a pause; errThrottled at once,
// once the segment waiting for the uploader is handed over.
var (
	errRewatch   = errors.New("watch again")
	errThrottled = errors.New("throttled")
)

// Run records from st until ctx ends (nil is returned after the last segments were flushed), the
// watch falls behind etcd's compaction (*GapError) or a segment cannot be committed everywhere
// (*UploadError).
func (r *Recorder) Run(ctx context.Context, st Start) error {
	r.st = st
	upCtx, cancelUp := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelUp()
	r.up = newUploader(upCtx, r.journals, &r.o)
	r.shared.Store(r.up)
	r.ageTimer = time.NewTimer(time.Hour)
	r.ageTimer.Stop()
	defer r.ageTimer.Stop()
	err := r.loop(ctx)
	var ue *UploadError
	var ferr error
	if !errors.As(err, &ue) {
		// What was recorded before a stop or a gap is good: commit it.
		if ferr = r.flush(); ferr != nil {
			ferr = fmt.Errorf("journal: the last segment was not handed over (etcd still holds its revisions "+
				"until compaction; the next recording takes them again): %w", ferr)
		}
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = nil
	}
	err = errors.Join(err, ferr)
	r.up.close(r.o.FlushTimeout, cancelUp)
	select {
	case uerr := <-r.up.failed:
		if !errors.Is(err, uerr) {
			err = errors.Join(err, uerr)
		}
	default:
	}
	return err
}

func (r *Recorder) loop(ctx context.Context) error {
	for {
		err := r.watch(ctx)
		if r.waiting != nil { // the watch is stopped: wait for the uploader without buffering
			// Cleared only once handed over: a stop meanwhile leaves it to flush.
			if perr := r.up.put(ctx, r.waiting); perr != nil {
				return perr
			}
			r.waiting = nil
		}
		if errors.Is(err, errThrottled) {
			continue
		}
		if !errors.Is(err, errRewatch) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// flush seals the open segment and hands it over, when Run stops.
func (r *Recorder) flush() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.o.FlushTimeout)
	defer cancel()
	if r.waiting != nil {
		s := r.waiting
		r.waiting = nil
		if err := r.up.put(ctx, s); err != nil {
			return err
		}
	}
	if r.cur == nil || r.cur.empty() {
		return nil
	}
	s, err := r.seal()
	if err != nil {
		return err
	}
	return r.up.put(ctx, s)
}

// watch watches from the next revision until an error; errRewatch asks for a new watch.
func (r *Recorder) watch(ctx context.Context) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := r.etcd.Watch(wctx, "", clientv3.WithPrefix(), clientv3.WithRev(r.st.Next))
	for {
		select {
		case resp, ok := <-wch:
			if !ok {
				return r.closed(ctx)
			}
			if err := r.response(ctx, &resp); err != nil {
				return err
			}
		case <-r.ageTimer.C:
			if err := r.sealAndHand(ctx); err != nil {
				return err
			}
		case err := <-r.up.failed:
			r.up.failed <- err
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Recorder) closed(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.o.Logger.Warn("journal: watch closed; watching again", zap.Int64("from", r.st.Next))
	return errRewatch
}

// response records one watch response.
func (r *Recorder) response(ctx context.Context, resp *clientv3.WatchResponse) error {
	if resp.CompactRevision > 0 || errors.Is(resp.Err(), rpctypes.ErrCompacted) {
		return &GapError{Next: r.st.Next, Compacted: resp.CompactRevision}
	}
	if err := resp.Err(); err != nil {
		r.o.Logger.Warn("journal: watch failed; watching again", zap.Int64("from", r.st.Next), zap.Error(err))
		return errRewatch
	}
	now := time.Now().UTC()
	evs := resp.Events
	for len(evs) > 0 {
		rev := evs[0].Kv.ModRevision
		n := 1
		for n < len(evs) && evs[n].Kv.ModRevision == rev {
			n++
		}
		group := evs[:n]
		evs = evs[n:]
		if rev < r.st.Next { // already recorded, before a new watch
			continue
		}
		if err := r.add(ctx, &Revision{Rev: rev, Time: now, Events: group}); err != nil {
			return err
		}
	}
	return nil
}

// add appends a revision to the open segment, opening one if needed, and seals it at MaxBytes.
func (r *Recorder) add(ctx context.Context, rev *Revision) error {
	if r.cur == nil {
		s, err := newSegment(r.o.Cluster, r.st.Next, r.o.Encoding, r.zw, r.lastSize)
		if err != nil {
			return err
		}
		r.cur = s
	}
	if r.cur.empty() {
		r.ageTimer.Reset(r.sealAfter())
		r.openSince.Store(rev.Time.UnixNano())
	}
	if err := r.cur.add(rev); err != nil {
		return err
	}
	r.st.Next = rev.Rev + 1
	if r.cur.size() >= r.o.MaxBytes {
		return r.sealAndHand(ctx)
	}
	return nil
}

// sealAfter is how long after its first revision a segment is sealed: MaxAge less what the commit
// will take (the last one's duration, at least commitReserve) and the watch's delivery
// (watchReserve), so that a segment is committed within MaxAge of its write (the recovery point);
// never before half of MaxAge.
func (r *Recorder) sealAfter() time.Duration {
	reserve := max(r.up.lastTook(), commitReserve) + watchReserve
	return max(r.o.MaxAge-reserve, r.o.MaxAge/2)
}

// commitReserve is the least time kept for a commit (before the first one, or after fast ones);
// watchReserve the time from a write's acknowledgement to its event here. Measured on loopback: a
// file destination commits in about 40 ms, and a watch delivers in well under 50 ms.
const (
	commitReserve = 100 * time.Millisecond
	watchReserve  = 50 * time.Millisecond
)

// sealAndHand seals the open segment and hands it to the uploader. When the uploader is still busy
// with the one before, the watch stops (errThrottled; loop hands the segment over then): etcd keeps
// the revisions, and this process does not buffer them.
func (r *Recorder) sealAndHand(ctx context.Context) error {
	if r.cur == nil || r.cur.empty() {
		return nil
	}
	s, err := r.seal()
	if err != nil {
		return err
	}
	if r.up.offer(s) {
		return nil
	}
	if r.o.Observer != nil {
		r.o.Observer.Throttled()
	}
	r.o.Logger.Debug("journal: storage slower than etcd; watch paused", zap.String("segment", s.m.Name))
	r.waiting = s
	return errThrottled
}

func (r *Recorder) seal() (*sealed, error) {
	r.ageTimer.Stop()
	base := ""
	if r.st.Previous == "" {
		base = r.st.Base
	}
	s, err := r.cur.seal(r.journals[0].Layout, r.st.Previous, base)
	if err != nil {
		return nil, err
	}
	r.cur = nil
	r.lastSize = len(s.data)
	r.openSince.Store(0)
	r.st.Previous = s.m.Name
	return s, nil
}
