package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"
)

// ErrNotFound is wrapped by errors for objects that do not exist.
var ErrNotFound = errors.New("object not found")

// ErrExists is wrapped by the error of a create-only write (WriteOptions.IfNotExist) whose key
// exists already.
var ErrExists = errors.New("object exists already")

// Object describes one stored object.
type Object struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Store holds objects under one destination URL. Keys are relative to the
// URL's path prefix, '/'-separated.
type Store interface {
	// NewWriter starts an object; cancelling ctx aborts it. At most one
	// WriteOptions may be given.
	NewWriter(ctx context.Context, key string, opts ...WriteOptions) (Writer, error)
	// NewReader opens an object; a missing one gives an error wrapping ErrNotFound.
	NewReader(ctx context.Context, key string) (io.ReadCloser, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Delete removes an object; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	Close() error
	// String is the destination URL with secrets redacted.
	String() string
}

// Writer streams one object. Nothing is visible under key until Commit
// returns nil.
type Writer interface {
	io.Writer
	// Commit finishes the object and makes it visible atomically. It returns
	// any deferred write error.
	Commit() error
	// Abort discards the object. It is safe after Commit, twice, and from
	// another goroutine than the one writing.
	Abort()
}

// Options configures Open.
type Options struct {
	Logger *zap.Logger // may be nil
	// CAFile is a PEM bundle trusted for TLS in addition to the system roots
	// (s3, gs and azblob).
	CAFile string
	// PartSize is the size of one multipart part (s3), block (azblob) or
	// resumable chunk (gs); 0 picks the default. It grows with
	// WriteOptions.SizeHint to stay within the part limit.
	PartSize int64
	// Concurrency is the number of parts uploaded at once (s3, azblob); 0
	// picks the default.
	Concurrency int
	// Lock, when set, retains every write that asks for it (s3 and gs; Open fails elsewhere).
	Lock *Lock
	// UploadTimeout bounds each upload, from NewWriter to Commit; 0: none,
	// the caller's context alone bounds it.
	UploadTimeout time.Duration
	// StallTimeout is how long an upload may wait without the destination accepting a byte before
	// a backup drops it; 0 picks DefaultStallTimeout. See StallTimeout.
	StallTimeout time.Duration
}

// DefaultStallTimeout is the stall period of a destination that sets none: a minute without a byte
// accepted is a hung server, not a slow link.
const DefaultStallTimeout = 60 * time.Second

// WriteOptions tunes one upload.
type WriteOptions struct {
	// SizeHint is the expected object size in bytes, 0 when unknown. A large
	// hint grows the part size so that the object fits in the part limit.
	SizeHint int64
	// IfNotExist makes the write create-only: Commit fails with an error wrapping ErrExists when
	// key exists already (s3, gs, azblob, file).
	IfNotExist bool
	// Lock retains the object for the store's Options.Lock, when it has one: backups' data and
	// manifests and journal segments, not probes or drill records.
	Lock bool
}

// writeOptions returns the single optional WriteOptions.
func writeOptions(opts []WriteOptions) WriteOptions {
	if len(opts) == 0 {
		return WriteOptions{}
	}
	return opts[0]
}

// errWriterDone is returned when a writer is used after Commit or Abort.
var errWriterDone = errors.New("writer already committed or aborted")

// Schemes returns the supported URL schemes, sorted.
func Schemes() []string {
	return []string{"azblob", "file", "gs", "s3"}
}

// Open opens the store for a destination URL: s3://, gs://, azblob:// or
// file://.
func Open(ctx context.Context, rawURL string, opts Options) (Store, error) {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("storage")
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse destination URL: %w", urlErrCause(err))
	}
	if err := checkOptions(u.Scheme, opts); err != nil {
		return nil, fmt.Errorf("open destination %s: %w", Redact(rawURL), err)
	}
	var s Store
	switch u.Scheme {
	case "file":
		if opts.Lock != nil {
			err = ErrLockUnsupported
			break
		}
		s, err = openFile(u, rawURL, opts.UploadTimeout, opts.StallTimeout)
	case "s3", "gs", "azblob":
		s, err = openBlob(ctx, u.Scheme, rawURL, opts, log)
	case "":
		err = fmt.Errorf("missing scheme (supported: %s; use file:///path for a directory)",
			strings.Join(Schemes(), ", "))
	default:
		err = fmt.Errorf("unsupported scheme %q (supported: %s)", u.Scheme, strings.Join(Schemes(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("open destination %s: %w", Redact(rawURL), err)
	}
	log.Debug("opened destination", zap.String("url", s.String()))
	return s, nil
}

// urlErrCause drops the URL that *url.Error carries, since it may hold secrets.
func urlErrCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkKey validates an object key: relative, '/'-separated, without empty,
// "." or ".." elements.
func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	return checkPath("key", key, false)
}

// checkPrefix validates a List prefix; unlike a key it may be empty or end
// with '/'.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return checkPath("prefix", prefix, true)
}

func checkPath(what, p string, trailingSlash bool) error {
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("%s %q: must be relative", what, p)
	}
	if strings.ContainsRune(p, 0) || !utf8.ValidString(p) {
		return fmt.Errorf("%s %q: must be valid UTF-8 without NUL", what, p)
	}
	elems := strings.Split(p, "/")
	if trailingSlash && elems[len(elems)-1] == "" {
		elems = elems[:len(elems)-1]
	}
	for _, e := range elems {
		if e == "" || e == "." || e == ".." {
			return fmt.Errorf("%s %q: invalid path element %q", what, p, e)
		}
	}
	return nil
}

// StallTimeout returns the stall period of s: Options.StallTimeout, or DefaultStallTimeout when the
// store was opened without one or cannot tell.
func StallTimeout(s Store) time.Duration {
	if st, ok := s.(interface{ StallTimeout() time.Duration }); ok && st.StallTimeout() > 0 {
		return st.StallTimeout()
	}
	return DefaultStallTimeout
}

// LastProgress returns when s's server last accepted request bytes or answered a request, so that a
// slow transfer can be told from a hung one; the zero time when s cannot tell (file://).
func LastProgress(s Store) time.Time {
	if p, ok := s.(interface{ LastProgress() time.Time }); ok {
		return p.LastProgress()
	}
	return time.Time{}
}
