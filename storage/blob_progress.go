package storage

import (
	"crypto/tls"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"gocloud.dev/gcp"
)

// progress is when a store's server last accepted request bytes or answered a request: a slow
// upload keeps moving it, a hung server does not.
type progress struct{ last atomic.Int64 } // since progressBase; 0: never

// progressBase keeps progress on the monotonic clock, which no clock step moves.
var progressBase = time.Now()

func (p *progress) touch() { p.last.Store(int64(time.Since(progressBase))) }

func (p *progress) at() time.Time {
	if p == nil || p.last.Load() == 0 {
		return time.Time{}
	}
	return progressBase.Add(time.Duration(p.last.Load()))
}

// progressClient returns hc, or when nil the client the scheme's SDK would make, with its transport
// recording progress in p.
func progressClient(scheme string, hc *http.Client, p *progress) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = defaultTransport(scheme)
	}
	c.Transport = &progressTransport{base: base, p: p}
	return c
}

// defaultTransport is the transport each SDK uses when given no client.
func defaultTransport(scheme string) http.RoundTripper {
	switch scheme {
	case "s3":
		return awshttp.NewBuildableClient().GetTransport()
	case "gs":
		return gcp.DefaultTransport()
	}
	// azcore's default: TLS 1.2 and 10 idle connections per host.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 10
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, Renegotiation: tls.RenegotiateFreelyAsClient}
	return tr
}

// progressTransport touches p as a request body is sent and as a response arrives.
type progressTransport struct {
	base http.RoundTripper
	p    *progress
}

func (t *progressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		r := *req // a RoundTripper must not modify the request
		r.Body = &progressBody{ReadCloser: req.Body, p: t.p}
		req = &r
	}
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		t.p.touch()
	}
	return resp, err
}

// progressBody touches p at every read: the transport reads the body as the socket takes it.
type progressBody struct {
	io.ReadCloser
	p *progress
}

func (b *progressBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	if n > 0 {
		b.p.touch()
	}
	return n, err
}
