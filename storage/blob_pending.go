package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ListPending returns the incomplete multipart uploads under prefix at an S3 bucket, each under
// the key it would have committed. ModTime is the start of the upload. Other backends return
// nothing: GCS and Azure discard unfinished uploads by themselves.
func (s *blobStore) ListPending(ctx context.Context, prefix string) ([]Object, error) {
	var client *s3.Client
	if !s.bucket.As(&client) {
		return nil, nil
	}
	ups, err := s.listUploads(ctx, client, s.prefix+prefix)
	if err != nil {
		return nil, fmt.Errorf("list unfinished writes %q in %s: %w", prefix, s.url, mapErr(err))
	}
	out := make([]Object, 0, len(ups))
	for _, up := range ups {
		out = append(out, Object{Key: strings.TrimPrefix(*up.Key, s.prefix), ModTime: *up.Initiated})
	}
	return out, nil
}

// AbortPending aborts the incomplete multipart uploads of key started before before.
func (s *blobStore) AbortPending(ctx context.Context, key string, before time.Time) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("abort unfinished write in %s: %w", s.url, err)
	}
	var client *s3.Client
	if !s.bucket.As(&client) {
		return nil
	}
	full := s.prefix + key
	_, err := s.abortUploads(ctx, client, full, func(k string, started time.Time) bool {
		return k == full && started.Before(before)
	})
	if err != nil {
		return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, mapErr(err))
	}
	return nil
}
