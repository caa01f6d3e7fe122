package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.uber.org/zap"
)

// s3MinPartSize is the smallest S3 multipart part; smaller uploads are a
// single PUT and leave nothing behind when aborted.
const s3MinPartSize = 5 << 20

// s3CleanupTimeout bounds the multipart clean-up after an abort: a list and an abort take well
// under a second on a live server, and a hung one must not hold the backup long.
const s3CleanupTimeout = 5 * time.Second

// abortUploads aborts the uploads under full (a bucket key prefix) that match.
func (s *blobStore) abortUploads(ctx context.Context, client *s3.Client, full string, match func(string, time.Time) bool) (int, error) {
	ups, err := s.listUploads(ctx, client, full)
	n := 0
	for _, up := range ups {
		if !match(*up.Key, *up.Initiated) {
			continue
		}
		if err := s.abortUpload(ctx, client, up); err != nil {
			return n, err
		}
		n++
	}
	return n, err
}

// listUploads pages through the incomplete uploads under full. MinIO lists uploads only for an
// exact key or the whole bucket, so a folder prefix that finds nothing is retried as a
// whole-bucket listing, filtered here; an exact key is answered right the first time.
func (s *blobStore) listUploads(ctx context.Context, client *s3.Client, full string) ([]types.MultipartUpload, error) {
	ups, err := s.listUploadsUnder(ctx, client, full, full)
	if err != nil || len(ups) > 0 || !strings.HasSuffix(full, "/") {
		return ups, err
	}
	return s.listUploadsUnder(ctx, client, "", full)
}

func (s *blobStore) listUploadsUnder(ctx context.Context, client *s3.Client, listPrefix, full string) ([]types.MultipartUpload, error) {
	in := &s3.ListMultipartUploadsInput{Bucket: &s.name, Prefix: &listPrefix}
	var ups []types.MultipartUpload
	for {
		out, err := client.ListMultipartUploads(ctx, in)
		if err != nil {
			return ups, err
		}
		for _, up := range out.Uploads {
			if up.Key != nil && up.Initiated != nil && up.UploadId != nil && strings.HasPrefix(*up.Key, full) {
				ups = append(ups, up)
			}
		}
		if out.IsTruncated == nil || !*out.IsTruncated {
			return ups, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// abortUpload aborts one upload; one already gone is not an error.
func (s *blobStore) abortUpload(ctx context.Context, client *s3.Client, up types.MultipartUpload) error {
	_, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: &s.name, Key: up.Key, UploadId: up.UploadId,
	})
	var gone *types.NoSuchUpload
	if err != nil && !errors.As(err, &gone) {
		return err
	}
	return nil
}

// abortMultipart removes incomplete multipart uploads of key after an
// Abort, with a fresh context since the writer's is cancelled. Failures are
// logged: the sweep and a bucket lifecycle rule are the backstops.
func (s *blobStore) abortMultipart(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), s3CleanupTimeout)
	defer cancel()
	if err := s.AbortPending(ctx, key, time.Now().Add(time.Hour)); err != nil {
		s.log.Warn("abort incomplete multipart upload", zap.String("url", s.url), zap.String("key", key), zap.Error(err))
	}
}
