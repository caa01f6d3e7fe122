package storage

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.uber.org/zap"
)

// s3MinPartSize is the smallest S3 multipart part; smaller uploads are a
// single PUT and leave nothing behind when aborted.
const s3MinPartSize = 5 << 20

// s3CleanupTimeout bounds the multipart clean-up after an abort.
const s3CleanupTimeout = 30 * time.Second

// abortMultipart removes incomplete multipart uploads of key. gocloud aborts
// them with the cancelled writer context, which fails, so a fresh context is
// used here. Failures are logged: a bucket lifecycle rule for incomplete
// uploads is the backstop.
func (s *blobStore) abortMultipart(key string) {
	var client *s3.Client
	if !s.bucket.As(&client) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s3CleanupTimeout)
	defer cancel()
	full := s.prefix + key
	out, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{
		Bucket: &s.name,
		Prefix: &full,
	})
	if err != nil {
		s.log.Warn("list incomplete multipart uploads after abort",
			zap.String("url", s.url), zap.String("key", key), zap.Error(err))
		return
	}
	for _, up := range out.Uploads {
		if up.Key == nil || *up.Key != full {
			continue
		}
		_, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: &s.name, Key: up.Key, UploadId: up.UploadId,
		})
		if err != nil {
			s.log.Warn("abort incomplete multipart upload",
				zap.String("url", s.url), zap.String("key", key), zap.Error(err))
		}
	}
}
