package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// blobStore is a Store over a gocloud bucket, rooted at the URL path.
type blobStore struct {
	bucket *blob.Bucket
	scheme string
	name   string // bucket or container name
	prefix string // key prefix from the URL path, "" or ending in '/'
	url    string // redacted
	log    *zap.Logger
	upload uploadConfig
	wire   *progress // nil: unknown
	lock   *Lock     // nil: no object lock
}

var _ Store = (*blobStore)(nil)

// uploadConfig holds the upload settings of a store.
type uploadConfig struct {
	partSize    int64 // 0: the driver's default
	concurrency int   // 0: the scheme's default (limits), not the driver's
	timeout     time.Duration
	stall       time.Duration // 0: DefaultStallTimeout
}

func openBlob(ctx context.Context, scheme, rawURL string, opts Options, log *zap.Logger) (*blobStore, error) {
	if opts.Lock != nil && scheme != "s3" && scheme != "gs" {
		return nil, ErrLockUnsupported
	}
	openURL, prefix, err := splitURL(rawURL)
	if err != nil {
		return nil, err
	}
	hc, err := newHTTPClient(opts.CAFile)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(openURL) // parsed by splitURL already
	wire := &progress{}
	hc = progressClient(scheme, hc, wire)
	var b *blob.Bucket
	switch scheme {
	case "s3":
		b, err = openS3(ctx, u, hc)
	case "gs":
		b, err = openGCS(ctx, u, hc)
	default:
		b, err = openAzure(ctx, u, hc)
	}
	if err != nil {
		return nil, scrub(err, openURL)
	}
	s := newBlobStore(b, scheme, u.Host, prefix, Redact(rawURL), log)
	s.upload = uploadConfig{partSize: opts.PartSize, concurrency: opts.Concurrency, timeout: opts.UploadTimeout,
		stall: opts.StallTimeout}
	s.wire = wire
	s.lock = opts.Lock
	return s, nil
}

// newBlobStore roots bucket at prefix ("" or ending in '/'); name is the
// bucket or container name, url the redacted destination URL.
func newBlobStore(b *blob.Bucket, scheme, name, prefix, url string, log *zap.Logger) *blobStore {
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix)
	}
	return &blobStore{bucket: b, scheme: scheme, name: name, prefix: prefix, url: url, log: log}
}

func (s *blobStore) String() string { return s.url }

// StallTimeout is the stall period the store was opened with; 0: the default.
func (s *blobStore) StallTimeout() time.Duration { return s.upload.stall }

// LastProgress is when the server last accepted request bytes or answered.
func (s *blobStore) LastProgress() time.Time { return s.wire.at() }

func (s *blobStore) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.url, err)
	}
	return nil
}

func (s *blobStore) NewWriter(ctx context.Context, key string, opts ...WriteOptions) (Writer, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("upload %s to %s: %w", key, s.url, err)
	}
	return s.startUpload(ctx, key, s.writerOptions(key, writeOptions(opts))), nil
}

// writerOptions are the driver's options for an upload of key.
func (s *blobStore) writerOptions(key string, wo WriteOptions) *blob.WriterOptions {
	bo := &blob.WriterOptions{
		ContentType:    contentType(key),
		BufferSize:     int(partSize(s.scheme, s.upload.partSize, wo.SizeHint)),
		MaxConcurrency: s.inFlight(),
		IfNotExist:     wo.IfNotExist,
	}
	if wo.Lock && s.lock != nil {
		s.lockWrite(bo)
	}
	return bo
}

func (s *blobStore) NewReader(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("read from %s: %w", s.url, err)
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", key, s.url, mapErr(err))
	}
	return r, nil
}

func (s *blobStore) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list %s: %w", s.url, err)
	}
	var out []Object
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %q in %s: %w", prefix, s.url, mapErr(err))
		}
		if obj.IsDir {
			continue
		}
		out = append(out, Object{Key: obj.Key, Size: obj.Size, ModTime: obj.ModTime})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *blobStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete from %s: %w", s.url, err)
	}
	err := s.bucket.Delete(ctx, key)
	if err == nil || gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	return fmt.Errorf("delete %s from %s: %w", key, s.url, mapErr(err))
}

// mapErr makes gocloud's NotFound of an object match ErrNotFound, a failed
// create-only write match ErrExists, and names the cause of other failures
// (auth, permission, network, TLS), keeping the cause.
func mapErr(err error) error {
	if gcerrors.Code(err) == gcerrors.FailedPrecondition {
		return fmt.Errorf("%w: %w", ErrExists, err)
	}
	kind := Classify(err)
	if kind == KindNotFound && !missingBucket(err) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if kind == KindOther {
		return err
	}
	return &KindError{Kind: kind, Err: err}
}

// contentType picks the stored Content-Type from the key's suffix.
func contentType(key string) string {
	if strings.HasSuffix(key, ".json") {
		return "application/json"
	}
	return "application/octet-stream"
}
