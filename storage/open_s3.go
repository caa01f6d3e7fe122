package storage

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
)

// openS3 opens an s3:// bucket as gocloud's URL opener does, with every one
// of its URL parameters, and with hc (when not nil) as the HTTP client.
func openS3(ctx context.Context, u *url.URL, hc *http.Client) (*blob.Bucket, error) {
	q := u.Query()
	s3opts, bopts, err := s3Params(q)
	if err != nil {
		return nil, err
	}
	cfg, err := gcaws.V2ConfigFromURLParams(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if hc != nil {
		cfg.HTTPClient = hc
	}
	client := s3.NewFromConfig(cfg, s3opts...)
	bopts.RequestChecksumCalculation = cfg.RequestChecksumCalculation
	return s3blob.OpenBucket(ctx, client, u.Host, bopts)
}

// s3Params takes the S3-specific parameters out of q, leaving those of the
// AWS config. unsigned_payload=true is ours: it skips the SHA-256 of every
// byte that request signing costs on plain-HTTP endpoints.
func s3Params(q url.Values) ([]func(*s3.Options), *s3blob.Options, error) {
	bopts := &s3blob.Options{}
	var opts []func(*s3.Options)
	if v := take(q, "ssetype"); v != "" {
		t, err := sseType(v)
		if err != nil {
			return nil, nil, err
		}
		bopts.EncryptionType = t
	}
	bopts.KMSEncryptionID = take(q, "kmskeyid")
	for _, name := range []string{"accelerate", "disable_https", "use_path_style", "s3ForcePathStyle", "unsigned_payload"} {
		v := take(q, name)
		if v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, nil, fmt.Errorf("query parameter %q: %q is not a boolean", name, v)
		}
		switch name {
		case "accelerate":
			opts = append(opts, func(o *s3.Options) { o.UseAccelerate = on })
		case "disable_https":
			opts = append(opts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = on })
		case "unsigned_payload":
			if on {
				opts = append(opts, s3.WithAPIOptions(addUnsignedPayload))
			}
		default:
			opts = append(opts, func(o *s3.Options) { o.UsePathStyle = on })
		}
	}
	if bopts.KMSEncryptionID != "" && bopts.EncryptionType == "" {
		return nil, nil, fmt.Errorf("query parameter \"kmskeyid\" needs ssetype=aws:kms or aws:kms:dsse")
	}
	return opts, bopts, nil
}

func sseType(v string) (types.ServerSideEncryption, error) {
	for _, t := range types.ServerSideEncryptionAes256.Values() {
		if strings.EqualFold(string(t), v) {
			return t, nil
		}
	}
	return "", fmt.Errorf("query parameter \"ssetype\": %q is not one of AES256, aws:kms, aws:kms:dsse", v)
}

// addUnsignedPayload marks the payload unsigned before the checksum and
// signing steps run, so that neither hashes the body with SHA-256. Over
// HTTPS the SDK already sends unsigned payloads with a trailing checksum.
func addUnsignedPayload(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("etcdBackupdUnsignedPayload",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			return next.HandleInitialize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
		}), middleware.Before)
}

// take removes name from q and returns its first value.
func take(q url.Values, name string) string {
	v := q.Get(name)
	q.Del(name)
	return v
}
