package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ListPending returns the incomplete multipart uploads under prefix at an S3 bucket, each under
// the key it would have committed. ModTime is the start of the upload. Other backends return
// nothing: GCS and Azure discard unfinished uploads by themselves.
func (s *blobStore) ListPending(ctx context.Context, prefix string) ([]Object, error) {
	ups, err := s.uploads(ctx, prefix)
	if err != nil {
		return nil, err
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
	ups, err := s.uploads(ctx, key)
	if err != nil {
		return err
	}
	for _, up := range ups {
		if *up.Key != s.prefix+key || !up.Initiated.Before(before) {
			continue
		}
		_, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: &s.name, Key: up.Key, UploadId: up.UploadId,
		})
		var gone *types.NoSuchUpload
		if err != nil && !errors.As(err, &gone) {
			return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, err)
		}
	}
	return nil
}

// uploads lists every incomplete multipart upload under prefix, page by page.
func (s *blobStore) uploads(ctx context.Context, prefix string) ([]types.MultipartUpload, error) {
	var client *s3.Client
	if !s.bucket.As(&client) {
		return nil, nil
	}
	full := s.prefix + prefix
	in := &s3.ListMultipartUploadsInput{Bucket: &s.name, Prefix: &full}
	var out []types.MultipartUpload
	for {
		page, err := client.ListMultipartUploads(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list unfinished writes %q in %s: %w", prefix, s.url, err)
		}
		for _, up := range page.Uploads {
			if up.Key != nil && up.Initiated != nil && up.UploadId != nil {
				out = append(out, up)
			}
		}
		if page.IsTruncated == nil || !*page.IsTruncated {
			return out, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
