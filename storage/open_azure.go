package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"
)

// openAzure opens an azblob:// container. Credentials come from the
// environment at every Open, in gocloud's order: AZURE_STORAGE_ACCOUNT with
// AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, a connection string, else the
// default Azure credential chain (managed identity, workload identity, CLI).
// checkParams has checked the URL parameters, checkSASEndpoint among them.
func openAzure(ctx context.Context, u *url.URL, hc *http.Client) (*blob.Bucket, error) {
	opener := &azureblob.URLOpener{
		MakeClient:        azureClientMaker(hc),
		ServiceURLOptions: *azureblob.NewDefaultServiceURLOptions(),
	}
	return opener.OpenBucketURL(ctx, u)
}

// endpointParams are the URL parameters that move the Azure service endpoint.
var endpointParams = []string{"storage_account", "domain", "protocol", "localemu", "cdn"}

// checkSASEndpoint refuses URL parameters that would send the SAS token of
// the environment to another endpoint than the environment names.
func checkSASEndpoint(q url.Values) error {
	if os.Getenv("AZURE_STORAGE_SAS_TOKEN") == "" {
		return nil
	}
	for _, name := range endpointParams {
		if q.Has(name) {
			return fmt.Errorf("query parameter %q: with AZURE_STORAGE_SAS_TOKEN the endpoint comes from "+
				"the environment (AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_DOMAIN, AZURE_STORAGE_PROTOCOL)", name)
		}
	}
	return nil
}

func azureClientMaker(hc *http.Client) func(azureblob.ServiceURL, azureblob.ContainerName) (*container.Client, error) {
	return func(svc azureblob.ServiceURL, name azureblob.ContainerName) (*container.Client, error) {
		opts := &container.ClientOptions{}
		opts.PerRetryPolicies = append(opts.PerRetryPolicies, redactURLError{})
		if hc != nil {
			opts.Transport = hc
		}
		containerURL, err := url.JoinPath(string(svc), string(name))
		if err != nil {
			return nil, err
		}
		account, key := os.Getenv("AZURE_STORAGE_ACCOUNT"), os.Getenv("AZURE_STORAGE_KEY")
		conn := os.Getenv("AZURE_STORAGE_CONNECTION_STRING")
		if conn == "" {
			conn = os.Getenv("AZURE_STORAGEBLOB_CONNECTIONSTRING")
		}
		switch {
		case account != "" && key != "":
			cred, err := azblob.NewSharedKeyCredential(account, key)
			if err != nil {
				return nil, &CredentialsError{Scheme: "azblob", Err: fmt.Errorf("AZURE_STORAGE_KEY: %w", err)}
			}
			return container.NewClientWithSharedKeyCredential(containerURL, cred, opts)
		case os.Getenv("AZURE_STORAGE_SAS_TOKEN") != "":
			return container.NewClientWithNoCredential(containerURL, opts)
		case conn != "":
			return container.NewClientFromConnectionString(conn, string(name), opts)
		}
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, &CredentialsError{Scheme: "azblob", Err: err}
		}
		return container.NewClient(containerURL, azureCredential{cred}, opts)
	}
}

// redactURLError hides the SAS token that the service URL carries (from
// AZURE_STORAGE_SAS_TOKEN or a connection string) in the URL that net/http
// quotes in a transport error, which would reach logs and notifications.
type redactURLError struct{}

func (redactURLError) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = Redact(ue.URL)
	}
	return resp, err
}

// azureCredential marks the failures of a token credential as
// CredentialsError, so that they classify as auth errors.
type azureCredential struct{ azcore.TokenCredential }

func (c azureCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.TokenCredential.GetToken(ctx, o)
	if err != nil {
		return tok, &CredentialsError{Scheme: "azblob", Err: err}
	}
	return tok, nil
}
