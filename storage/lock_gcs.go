package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	gcs "cloud.google.com/go/storage"
	"gocloud.dev/blob"
)

// gcsMode is GCS's name for the lock's mode: Unlocked retention may be changed by a user with
// storage.objects.overrideUnlockedRetention (as S3's governance), Locked by no one (compliance).
func (s *blobStore) gcsMode() string {
	if s.lock.Mode == LockCompliance {
		return "Locked"
	}
	return "Unlocked"
}

func (s *blobStore) gcsLockWrite(opts *blob.WriterOptions) {
	until := time.Now().Add(s.lock.MinRetention).UTC()
	opts.BeforeWrite = func(as func(any) bool) error {
		var w *gcs.Writer
		if !as(&w) {
			return errors.New("object retention: the gs driver did not expose its writer")
		}
		w.ObjectAttrs.Retention = &gcs.ObjectRetention{Mode: s.gcsMode(), RetainUntil: until}
		return nil
	}
}

func (s *blobStore) gcsClient() (*gcs.Client, error) {
	var c *gcs.Client
	if !s.bucket.As(&c) {
		return nil, ErrLockUnsupported
	}
	return c, nil
}

func (s *blobStore) gcsRetainedUntil(ctx context.Context, key string) (time.Time, error) {
	c, err := s.gcsClient()
	if err != nil {
		return time.Time{}, err
	}
	attrs, err := c.Bucket(s.name).Object(s.prefix + key).Attrs(ctx)
	if errors.Is(err, gcs.ErrObjectNotExist) {
		return time.Time{}, nil // gone: nothing retains it
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("retention of %s at %s: %w", key, s.url, mapErr(err))
	}
	if attrs.Retention == nil {
		return time.Time{}, nil
	}
	return attrs.Retention.RetainUntil, nil
}

func (s *blobStore) gcsRetain(ctx context.Context, key string, until time.Time) error {
	c, err := s.gcsClient()
	if err != nil {
		return err
	}
	_, err = c.Bucket(s.name).Object(s.prefix+key).OverrideUnlockedRetention(true).Update(ctx,
		gcs.ObjectAttrsToUpdate{Retention: &gcs.ObjectRetention{Mode: s.gcsMode(), RetainUntil: until.UTC()}})
	if errors.Is(err, gcs.ErrObjectNotExist) {
		return fmt.Errorf("extend the retention of %s at %s: %w", key, s.url, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("extend the retention of %s at %s: %w", key, s.url, mapErr(err))
	}
	return nil
}

func (s *blobStore) gcsCheckLock(ctx context.Context) error {
	c, err := s.gcsClient()
	if err != nil {
		return err
	}
	attrs, err := c.Bucket(s.name).Attrs(ctx)
	if err != nil {
		return fmt.Errorf("object retention of bucket %s: %w", s.name, mapErr(err))
	}
	if attrs.ObjectRetentionMode != "Enabled" {
		return fmt.Errorf("bucket %s does not have object retention enabled (create it with --enable-per-object-retention)", s.name)
	}
	return nil
}
