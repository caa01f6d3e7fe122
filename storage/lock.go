package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"
)

// Object lock modes, as S3 names them in lower case.
const (
	LockGovernance = "governance"
	LockCompliance = "compliance"
)

// Lock is a destination's object lock (WORM): every write that asks for it (WriteOptions.Lock) is
// retained until at least MinRetention after it was written. s3 (Object Lock) and gs (object
// retention: governance is GCS's Unlocked mode, compliance its Locked mode).
type Lock struct {
	Mode         string // LockGovernance or LockCompliance
	MinRetention time.Duration
}

// ErrLockUnsupported is returned for a Lock on a store that cannot lock objects.
var ErrLockUnsupported = errors.New("object lock is supported on s3:// and gs:// destinations only")

// locker is what a store that locks objects does besides Store.
type locker interface {
	locking() bool
	// RetainedUntil is the object's retain-until date; zero when it has none.
	RetainedUntil(ctx context.Context, key string) (time.Time, error)
	// Retain extends the object's retention to until (never shortens it).
	Retain(ctx context.Context, key string, until time.Time) error
	// CheckLock says why the bucket cannot lock objects, or nil.
	CheckLock(ctx context.Context) error
}

// RetainedUntil is the retain-until date of key at s; zero at a store without object lock.
func RetainedUntil(ctx context.Context, s Store, key string) (time.Time, error) {
	if l, ok := s.(locker); ok && l.locking() {
		return l.RetainedUntil(ctx, key)
	}
	return time.Time{}, nil
}

// Retain extends key's retention at s to until; nothing at a store without object lock.
func Retain(ctx context.Context, s Store, key string, until time.Time) error {
	if l, ok := s.(locker); ok && l.locking() {
		return l.Retain(ctx, key, until)
	}
	return nil
}

// CheckLock says why s, opened with a Lock, cannot lock objects; nil when it can or has no Lock.
func CheckLock(ctx context.Context, s Store) error {
	if l, ok := s.(locker); ok && l.locking() {
		return l.CheckLock(ctx)
	}
	return nil
}

func (s *blobStore) locking() bool { return s.lock != nil }

// lockWrite sets the object lock of an upload: retained MinRetention from now.
func (s *blobStore) lockWrite(opts *blob.WriterOptions) {
	if s.scheme == "gs" {
		s.gcsLockWrite(opts)
		return
	}
	mode := tmtypes.ObjectLockModeGovernance
	if s.lock.Mode == LockCompliance {
		mode = tmtypes.ObjectLockModeCompliance
	}
	until := time.Now().Add(s.lock.MinRetention).UTC()
	opts.BeforeWrite = func(as func(any) bool) error {
		var in *transfermanager.UploadObjectInput
		if !as(&in) {
			return errors.New("object lock: the s3 driver did not expose its upload input")
		}
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = mode, &until
		return nil
	}
}

func (s *blobStore) s3() (*s3.Client, error) {
	var c *s3.Client
	if !s.bucket.As(&c) {
		return nil, ErrLockUnsupported
	}
	return c, nil
}

func (s *blobStore) RetainedUntil(ctx context.Context, key string) (time.Time, error) {
	if s.scheme == "gs" {
		return s.gcsRetainedUntil(ctx, key)
	}
	c, err := s.s3()
	if err != nil {
		return time.Time{}, err
	}
	out, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: &s.name, Key: aws.String(s.prefix + key)})
	if err != nil {
		if strings.Contains(err.Error(), "NoSuchObjectLockConfiguration") || errors.Is(mapErr(err), ErrNotFound) {
			return time.Time{}, nil // no retention, or gone: nothing retains it
		}
		return time.Time{}, fmt.Errorf("retention of %s at %s: %w", key, s.url, mapErr(err))
	}
	if out.Retention == nil || out.Retention.RetainUntilDate == nil {
		return time.Time{}, nil
	}
	return *out.Retention.RetainUntilDate, nil
}

func (s *blobStore) Retain(ctx context.Context, key string, until time.Time) error {
	if s.scheme == "gs" {
		return s.gcsRetain(ctx, key, until)
	}
	c, err := s.s3()
	if err != nil {
		return err
	}
	mode := types.ObjectLockRetentionModeGovernance
	if s.lock.Mode == LockCompliance {
		mode = types.ObjectLockRetentionModeCompliance
	}
	until = until.UTC()
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: &s.name, Key: aws.String(s.prefix + key),
		Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: &until}})
	if err != nil {
		return fmt.Errorf("extend the retention of %s at %s: %w", key, s.url, mapErr(err))
	}
	return nil
}

func (s *blobStore) CheckLock(ctx context.Context) error {
	if s.scheme == "gs" {
		return s.gcsCheckLock(ctx)
	}
	c, err := s.s3()
	if err != nil {
		return err
	}
	out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &s.name})
	if err != nil {
		return fmt.Errorf("object lock of bucket %s: %w (create the bucket with object lock enabled: it cannot be "+
			"turned on afterwards on every provider)", s.name, mapErr(err))
	}
	if out.ObjectLockConfiguration == nil || out.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return fmt.Errorf("bucket %s does not have object lock enabled", s.name)
	}
	return nil
}

// LockedUntil is when the object lock at s releases the last of keys, if that is after now; zero
// when none is retained then (or s has no object lock).
func LockedUntil(ctx context.Context, s Store, keys []string, now time.Time) (time.Time, error) {
	var last time.Time
	for _, k := range keys {
		until, err := RetainedUntil(ctx, s, k)
		if err != nil {
			return last, err
		}
		if until.After(now) && until.After(last) {
			last = until
		}
	}
	return last, nil
}

// KeepLocked extends key's retention at s to MinRetention from now when less than half of it is
// left, so that an object retention keeps stays locked as long as it is kept, whatever its class.
// It does nothing at a store without object lock.
func KeepLocked(ctx context.Context, s Store, key string) error {
	l, ok := s.(*blobStore)
	if !ok || l.lock == nil {
		return nil
	}
	until, err := l.RetainedUntil(ctx, key)
	if err != nil {
		return err
	}
	now := time.Now()
	if until.After(now.Add(l.lock.MinRetention / 2)) {
		return nil
	}
	if err := l.Retain(ctx, key, now.Add(l.lock.MinRetention)); err != nil && !errors.Is(err, ErrNotFound) {
		return err // a key deleted meanwhile (another prune) needs no lock
	}
	return nil
}
