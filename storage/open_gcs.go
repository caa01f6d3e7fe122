package storage

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// emulatorCreds are the placeholder credentials used with
// STORAGE_EMULATOR_HOST, which needs none.
const emulatorCreds = `{"type": "service_account", "project_id": "emulator"}`

// openGCS opens a gs:// bucket with Application Default Credentials, found
// at every Open (not once per process), and hc's transport when not nil.
// Missing credentials fail the first request with an auth error, not Open.
func openGCS(ctx context.Context, u *url.URL, hc *http.Client) (*blob.Bucket, error) {
	var ts oauth2.TokenSource
	if os.Getenv("STORAGE_EMULATOR_HOST") != "" {
		creds, err := google.CredentialsFromJSON(ctx, []byte(emulatorCreds))
		if err != nil {
			return nil, fmt.Errorf("emulator credentials: %w", err)
		}
		ts = creds.TokenSource
	} else {
		creds, err := gcp.DefaultCredentialsWithParams(ctx, google.CredentialsParams{
			UniverseDomain: u.Query().Get("universe_domain"),
		})
		if err != nil {
			ts = errTokenSource{err: &CredentialsError{Scheme: "gs", Err: err}}
		} else {
			ts = creds.TokenSource
		}
	}
	transport := gcp.DefaultTransport()
	if hc != nil {
		transport = hc.Transport
	}
	client, err := gcp.NewHTTPClient(transport, ts)
	if err != nil {
		return nil, err
	}
	opener := &gcsblob.URLOpener{Client: client, TokenSource: ts}
	return opener.OpenBucketURL(ctx, u)
}

// errTokenSource fails every token request with err.
type errTokenSource struct{ err error }

func (s errTokenSource) Token() (*oauth2.Token, error) { return nil, s.err }

// CredentialsError says that a driver found no usable credentials.
type CredentialsError struct {
	Scheme string
	Err    error
}

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("find %s credentials: %v", e.Scheme, e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }
