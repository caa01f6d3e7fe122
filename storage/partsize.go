package storage

import (
	"context"
	"fmt"
	"time"
)

const mib = 1 << 20

// partLimits are the multipart limits of one scheme.
type partLimits struct {
	def, min, max int64 // part size: default, smallest, largest
	maxParts      int64 // parts per object; 0: no limit
	concurrency   int   // default parts in flight; 0: not used
}

// limits per scheme. Parts in flight are memory: 5 MiB x 4 (S3's smallest
// part) keep an upload to MinIO at several times what a backup produces on 2
// cores, and a backup to S3 under 120 MB resident at any database size (8 MiB
// parts took it to 140 MB).
// S3 allows 10,000 parts of 5 MiB to 5 GiB; Azure 50,000 blocks of up to
// 4000 MiB; a GCS resumable upload has no part limit, its chunk (a multiple
// of 256 KiB) is only the memory it buffers.
var limits = map[string]partLimits{
	"s3":     {def: 5 * mib, min: 5 * mib, max: 5 << 30, maxParts: 10000, concurrency: 4},
	"azblob": {def: 5 * mib, min: 1 * mib, max: 4000 * mib, maxParts: 50000, concurrency: 4},
	"gs":     {def: 8 * mib, min: 256 << 10, max: 1 << 30},
}

// sizeHintMargin is how far an object may outgrow its size hint and still
// fit in the part limit.
const sizeHintMargin = 2

// PartSizeLimits returns the smallest and largest part size a scheme takes;
// ok is false for schemes without parts (file).
func PartSizeLimits(scheme string) (lo, hi int64, ok bool) {
	l, ok := limits[scheme]
	return l.min, l.max, ok
}

// partSize returns the part size of an upload of about hint bytes (0:
// unknown): base (0: the default), grown so that hint*sizeHintMargin bytes
// fit in the part limit, rounded up to a MiB.
func partSize(scheme string, base, hint int64) int64 {
	l, ok := limits[scheme]
	if !ok {
		return base
	}
	p := base
	if p == 0 {
		p = l.def
	}
	if hint > 0 && l.maxParts > 0 {
		need := hint/l.maxParts*sizeHintMargin + sizeHintMargin
		need = (need + mib - 1) / mib * mib
		p = max(p, need)
	}
	return min(p, l.max)
}

// checkOptions validates the options for a scheme.
func checkOptions(scheme string, o Options) error {
	if scheme == "file" && o.CAFile != "" {
		return fmt.Errorf("a CA file does not apply to file://")
	}
	l, ok := limits[scheme]
	if ok && o.PartSize != 0 && (o.PartSize < l.min || o.PartSize > l.max) {
		return fmt.Errorf("part size %d: %s takes %d to %d bytes", o.PartSize, scheme, l.min, l.max)
	}
	if o.PartSize < 0 {
		return fmt.Errorf("part size %d: must not be negative", o.PartSize)
	}
	if o.Concurrency < 0 || o.Concurrency > 64 {
		return fmt.Errorf("upload concurrency %d: must be 0 (the default) to 64", o.Concurrency)
	}
	if o.UploadTimeout < 0 {
		return fmt.Errorf("upload timeout %s: must not be negative", o.UploadTimeout)
	}
	if o.StallTimeout < 0 {
		return fmt.Errorf("stall timeout %s: must not be negative", o.StallTimeout)
	}
	return nil
}

// withUploadTimeout bounds ctx by timeout when it is positive.
func withUploadTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	return context.WithCancel(ctx)
}

// UploadMemory is about how many bytes one upload of s buffers: its parts in flight and the one
// being filled, and half as much again, since the collector needs room above what is live (at 1x
// a 1 GB backup to MinIO ran 650 collections and spent 17% of its CPU in them; at 1.5x, 76 and 2%).
// A backup's memory budget adds it for each destination.
func (s *blobStore) UploadMemory() int64 {
	return 3 * partSize(s.scheme, s.upload.partSize, 0) * int64(s.inFlight()+1) / 2
}

// inFlight is how many parts an upload to s sends at once: the configured concurrency, or the
// scheme's default. The default is passed to the driver too, since the drivers' own (5 for S3 and
// Azure) would buffer more than UploadMemory counts. 0 for a scheme without parts (gs).
func (s *blobStore) inFlight() int {
	if s.upload.concurrency != 0 {
		return s.upload.concurrency
	}
	return limits[s.scheme].concurrency
}

// UploadMemory is what an upload to st buffers in memory; 0 for stores that stream (file).
func UploadMemory(st Store) int64 {
	if b, ok := st.(interface{ UploadMemory() int64 }); ok {
		return b.UploadMemory()
	}
	return 0
}
