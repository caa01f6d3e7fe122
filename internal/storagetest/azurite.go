package storagetest

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// Azurite is a running Azurite Blob service with one random account.
type Azurite struct {
	Account  string
	Key      string // base64
	Domain   string // 127.0.0.1:PORT
	Protocol string // http or https
	TLS      *TLS
	*proc
}

// StartAzurite starts the Azurite Blob service with a random account, over
// TLS when tc is not nil, and waits until it accepts connections.
func StartAzurite(t testing.TB, tc *TLS) *Azurite {
	t.Helper()
	bin := testgate.Require(t, "azurite-blob")
	dir := t.TempDir()
	port := strconv.Itoa(FreePort(t))
	a := &Azurite{
		Account:  "acct" + Random(t, 4),
		Key:      base64.StdEncoding.EncodeToString([]byte(Random(t, 32))),
		Domain:   "127.0.0.1:" + port,
		Protocol: "http",
		TLS:      tc,
	}
	args := []string{"--blobHost", "127.0.0.1", "--blobPort", port, "--location", filepath.Join(dir, "data"),
		"--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent"}
	if tc != nil {
		a.Protocol = "https"
		args = append(args, "--cert", tc.CertFile, "--key", tc.KeyFile)
	}
	env := []string{"AZURITE_ACCOUNTS=" + a.Account + ":" + a.Key}
	a.proc = newProc(t, "azurite-blob", bin, dir, args, env)
	a.Start(t)
	return a
}

// Start starts a stopped server again and waits until it accepts
// connections.
func (a *Azurite) Start(t testing.TB) {
	t.Helper()
	a.proc.Start(t)
	a.waitReady(t, func() error {
		c, err := net.Dial("tcp", a.Domain)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// ServiceURL is the blob service URL of the account.
func (a *Azurite) ServiceURL() string {
	return a.Protocol + "://" + a.Domain + "/" + a.Account
}

// NewContainer creates a container with a unique name.
func (a *Azurite) NewContainer(t testing.TB) string {
	t.Helper()
	name := "test-" + Random(t, 6)
	cred, err := azblob.NewSharedKeyCredential(a.Account, a.Key)
	if err != nil {
		t.Fatalf("azurite credential: %v", err)
	}
	opts := &container.ClientOptions{}
	if a.TLS != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: a.TLS.Pool(t)}
		opts.Transport = &http.Client{Transport: tr}
	}
	c, err := container.NewClientWithSharedKeyCredential(a.ServiceURL()+"/"+name, cred, opts)
	if err != nil {
		t.Fatalf("container client: %v", err)
	}
	if _, err := c.Create(context.Background(), nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
	return name
}

// URL is the azblob:// destination URL of path in a container.
func (a *Azurite) URL(container, path string) string {
	return fmt.Sprintf("azblob://%s/%s?protocol=%s&domain=%s&localemu=true", container, path, a.Protocol, a.Domain)
}

// Env puts the account and its key in the Azure environment of the test.
func (a *Azurite) Env(t testing.TB) {
	SetAzureEnv(t, a.Account, a.Key)
}

// SetAzureEnv sets a shared key credential for the test and nothing else.
func SetAzureEnv(t testing.TB, account, key string) {
	for k, v := range map[string]string{
		"AZURE_STORAGE_ACCOUNT":              account,
		"AZURE_STORAGE_KEY":                  key,
		"AZURE_STORAGE_SAS_TOKEN":            "",
		"AZURE_STORAGE_CONNECTION_STRING":    "",
		"AZURE_STORAGEBLOB_CONNECTIONSTRING": "",
		"AZURE_STORAGE_DOMAIN":               "",
		"AZURE_STORAGE_PROTOCOL":             "",
		"AZURE_STORAGE_IS_LOCAL_EMULATOR":    "",
	} {
		t.Setenv(k, v)
	}
}
