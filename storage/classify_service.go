package storage

import (
	"errors"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

// serviceCodes maps the error codes of S3 and Azure Blob to kinds.
var serviceCodes = map[string]ErrorKind{
	// S3 and compatibles
	"InvalidAccessKeyId":           KindAuth,
	"SignatureDoesNotMatch":        KindAuth,
	"ExpiredToken":                 KindAuth,
	"InvalidToken":                 KindAuth,
	"TokenRefreshRequired":         KindAuth,
	"AuthorizationHeaderMalformed": KindAuth,
	"InvalidClientTokenId":         KindAuth,
	"AccessDenied":                 KindPermission,
	"AllAccessDisabled":            KindPermission,
	"AccountProblem":               KindPermission,
	"NoSuchBucket":                 KindNotFound,
	"NoSuchKey":                    KindNotFound,
	"NotFound":                     KindNotFound,
	// Azure Blob
	"AuthenticationFailed":            KindAuth,
	"InvalidAuthenticationInfo":       KindAuth,
	"NoAuthenticationInformation":     KindAuth,
	"AuthorizationFailure":            KindPermission,
	"AuthorizationPermissionMismatch": KindPermission,
	"AuthorizationSourceIPMismatch":   KindPermission,
	"AuthorizationProtocolMismatch":   KindPermission,
	"InsufficientAccountPermissions":  KindPermission,
	"AccountIsDisabled":               KindPermission,
	"ContainerNotFound":               KindNotFound,
	"BlobNotFound":                    KindNotFound,
	"ResourceNotFound":                KindNotFound,
}

// bucketMissingCodes are the codes of a missing bucket or container.
var bucketMissingCodes = map[string]bool{"NoSuchBucket": true, "ContainerNotFound": true}

// serviceKind reads the error of the S3, GCS or Azure SDK.
func serviceKind(err error) ErrorKind {
	var (
		signing  *v4.SigningError
		api      smithy.APIError
		status   interface{ HTTPStatusCode() int }
		gapi     *googleapi.Error
		retrieve *oauth2.RetrieveError
		azResp   *azcore.ResponseError
		azAuth   *azidentity.AuthenticationFailedError
	)
	switch {
	case errors.As(err, &signing), errors.As(err, &retrieve), errors.As(err, &azAuth):
		return KindAuth
	case errors.As(err, &azResp):
		// Azurite says AuthorizationFailure for a bad signature, with the
		// message of Azure's AuthenticationFailed.
		if strings.Contains(azResp.Error(), "failed to authenticate the request") {
			return KindAuth
		}
		if k, ok := serviceCodes[azResp.ErrorCode]; ok {
			return k
		}
		return statusKind(azResp.StatusCode)
	case errors.As(err, &api):
		if k, ok := serviceCodes[api.ErrorCode()]; ok {
			return k
		}
		if errors.As(err, &status) {
			return statusKind(status.HTTPStatusCode())
		}
	case errors.As(err, &gapi):
		return statusKind(gapi.Code)
	}
	return KindOther
}

// missingBucket reports whether err says that the bucket or container, not
// just an object, does not exist.
func missingBucket(err error) bool {
	var (
		api    smithy.APIError
		azResp *azcore.ResponseError
	)
	if errors.As(err, &azResp) {
		return bucketMissingCodes[azResp.ErrorCode]
	}
	return errors.As(err, &api) && bucketMissingCodes[api.ErrorCode()]
}
